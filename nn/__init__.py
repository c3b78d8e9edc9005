"""Neural networks built from autograd_lite Values (see the nn issue): not written yet."""
