"""An op defined at module level, as a user's module would, for the pickling test."""

from autograd_lite import define_op

cube = define_op("test_pickled_cube", lambda x: x * x * x, lambda g, out, x: g * 3.0 * x * x,
                 replace=True)
