"""The step-through viewer in a real browser: headless Chromium driven by Selenium.

Uses the system's Chromium and chromedriver (Debian's ``chromium`` and ``chromium-driver``,
which CI installs); never a downloaded browser, and the page needs no network. Without them
these tests skip, except in CI, where they fail.
"""

import os
import shutil
import tempfile
import warnings

import pytest

from autograd_lite import Value
from autograd_lite.viz import (
    HIGHLIGHT_COLOR,
    RECEIVER_COLOR,
    UnreadableDrawingWarning,
    animate_backward,
)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from tests.seed_graphs import mazur_network  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1100,800"]


def _system_browser():
    browser = next(filter(None, map(shutil.which, ["chromium", "chromium-browser"])), None)
    driver = shutil.which("chromedriver")
    return browser, driver


@pytest.fixture(scope="module")
def browser():
    binary, driver_path = _system_browser()
    if binary is None or driver_path is None:
        message = "Chromium and chromedriver are not installed (Debian: chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs them: their absence is a broken CI
        pytest.skip(message)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not fetch anything
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.TemporaryDirectory()
    options.add_argument(f"--user-data-dir={profile.name}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()
    profile.cleanup()


def shared_sub_expression():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b * b
    c.label = "c"
    return c


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("viewer") / "backward.html"
    animate_backward(shared_sub_expression(), fmt=".1f").save(path)
    return path.as_uri()


STATE = """
const root = arguments[0] || document.querySelector(".agl-backward");
const records = {};
for (const group of root.querySelectorAll(".agl-graph g.node")) {
  const texts = [...group.querySelectorAll("text")].map(t => t.textContent);
  if (texts.length >= 2 && texts[1].startsWith("data")) {
    const strokes = [...group.querySelectorAll("[stroke]")].map(e => e.getAttribute("stroke"));
    records[texts[0]] = {grad: texts[texts.length - 1], strokes: strokes};
  }
}
const svg = root.querySelector(".agl-graph svg");
return {caption: root.querySelector(".agl-caption").textContent,
        counter: root.querySelector(".agl-counter").textContent,
        slider: root.querySelector(".agl-slider").value,
        records: records,
        still: root.querySelectorAll(".agl-still").length,
        width: svg ? svg.getBoundingClientRect().width : 0,
        box: root.querySelector(".agl-graph").clientWidth};
"""


def state(driver, root=None):
    s = driver.execute_script(STATE, root)
    s["red"] = sorted(k for k, r in s["records"].items() if HIGHLIGHT_COLOR in r["strokes"])
    s["blue"] = sorted(k for k, r in s["records"].items() if RECEIVER_COLOR in r["strokes"])
    s["grads"] = {k: r["grad"] for k, r in s["records"].items()}
    return s


def errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


START = {"red": [], "grads": {"a": "grad 0.0", "b": "grad 0.0", "c": "grad 1.0"}}
STEP_1 = {"red": ["c"], "blue": ["b"], "grads": {"a": "grad 0.0", "b": "grad 12.0",
                                                  "c": "grad 1.0"}}
STEP_2 = {"red": ["b"], "blue": ["a"], "grads": {"a": "grad 24.0", "b": "grad 12.0",
                                                  "c": "grad 1.0"}}


COUNTERS = {1: "start, step 0 of 2", 2: "step 1 of 2", 3: "step 2 of 2"}


def check(s, expected, frame):
    assert s["counter"] == COUNTERS[frame] and s["slider"] == str(frame - 1)
    for key, value in expected.items():
        assert s[key] == value, (key, s)


def test_buttons_step_forward_and_back(browser, page):
    browser.get(page)
    s = state(browser)
    check(s, START, 1)
    assert s["caption"].startswith("start: backward() seeds the grad of 'c' with 1")
    assert s["still"] == 0  # the script replaced the still image with the live drawing
    click = {name: browser.find_element(By.CSS_SELECTOR, f".agl-{name}")
             for name in ("next", "prev", "first", "last")}
    click["next"].click()
    s = state(browser)
    check(s, STEP_1, 2)
    assert s["caption"].startswith("step 1 of 2: 'c' = b * b passes its grad 1.0 on")
    assert "local derivative b = 6.0" in s["caption"]  # the rule and its value
    click["next"].click()
    check(state(browser), STEP_2, 3)
    click["next"].click()  # past the end: stays on the last frame
    check(state(browser), STEP_2, 3)
    click["prev"].click()  # back: the grads are those after step 1 again
    check(state(browser), STEP_1, 2)
    click["first"].click()
    check(state(browser), START, 1)
    click["last"].click()
    check(state(browser), STEP_2, 3)
    assert errors(browser) == []


def test_the_slider_moves_between_frames(browser, page):
    browser.get(page)
    slider = browser.find_element(By.CSS_SELECTOR, ".agl-slider")
    slider.send_keys(Keys.ARROW_RIGHT)  # the range input's own keys fire its input event
    check(state(browser), STEP_1, 2)
    slider.send_keys(Keys.ARROW_RIGHT)
    check(state(browser), STEP_2, 3)
    slider.send_keys(Keys.ARROW_LEFT)
    check(state(browser), STEP_1, 2)
    assert errors(browser) == []


def test_keys_step_play_and_zoom(browser, page):
    browser.get(page)
    root = browser.find_element(By.CSS_SELECTOR, ".agl-backward")
    browser.find_element(By.CSS_SELECTOR, ".agl-graph").click()  # focuses the viewer
    keys = browser.switch_to.active_element
    assert keys == root
    keys.send_keys(Keys.ARROW_RIGHT)
    check(state(browser), STEP_1, 2)
    keys.send_keys(Keys.ARROW_RIGHT)
    check(state(browser), STEP_2, 3)
    keys.send_keys(Keys.ARROW_LEFT)
    check(state(browser), STEP_1, 2)
    keys.send_keys(Keys.END)
    check(state(browser), STEP_2, 3)
    keys.send_keys(Keys.HOME)
    check(state(browser), START, 1)
    width = state(browser)["width"]
    keys.send_keys("+")
    assert state(browser)["width"] == pytest.approx(1.25 * width, rel=0.02)
    keys.send_keys("-")
    keys.send_keys("-")
    assert state(browser)["width"] == pytest.approx(width / 1.25, rel=0.02)
    keys.send_keys("1")
    assert state(browser)["width"] == pytest.approx(width, rel=0.02)
    keys.send_keys(" ")  # play: a frame every 0.9 s until the end
    assert browser.find_element(By.CSS_SELECTOR, ".agl-play").text == "pause"
    browser.implicitly_wait(0)
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, 10).until(lambda d: state(d)["counter"] == COUNTERS[3])
    WebDriverWait(browser, 5).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".agl-play").text == "play")
    assert errors(browser) == []


def test_zoom_buttons_and_fit(browser, tmp_path):
    x = Value(0.5, label="x")
    y = x
    for i in range(8):  # long: several times wider than the window left to right
        y = (y * 1.5).tanh()
        y.label = f"h{i}"
    path = animate_backward(y, rankdir="LR", max_width=None).save(tmp_path / "wide.html")
    browser.get(path.as_uri())
    s = state(browser)
    assert s["width"] <= s["box"]  # too wide for the box at 100%: starts fitted
    browser.find_element(By.CSS_SELECTOR, ".agl-actual").click()
    wide = state(browser)
    assert wide["width"] > 2 * wide["box"]
    browser.find_element(By.CSS_SELECTOR, ".agl-zoom-out").click()
    assert state(browser)["width"] == pytest.approx(wide["width"] / 1.25, rel=0.02)
    browser.find_element(By.CSS_SELECTOR, ".agl-zoom-in").click()
    browser.find_element(By.CSS_SELECTOR, ".agl-fit").click()
    fitted = state(browser)
    assert fitted["width"] <= fitted["box"] and fitted["width"] > 0.9 * fitted["box"]
    browser.set_window_size(700, 900)  # the column narrows: a fitted drawing follows it
    try:
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(browser, 5).until(
            lambda d: state(d)["box"] < fitted["box"] and state(d)["width"] <= state(d)["box"])
        narrow = state(browser)
        assert narrow["width"] <= narrow["box"] and narrow["width"] > 0.9 * narrow["box"]
    finally:
        browser.set_window_size(1100, 800)
    assert errors(browser) == []


FRONT_END = """
// As front-ends that run an output's scripts themselves (VS Code, Colab) may: the HTML is
// put in the page first, then each script's text is run with document.currentScript empty,
// possibly before the output is attached to the document.
const html = arguments[0], attachLater = arguments[1];
const host = document.createElement("div");
host.innerHTML = html;
const scripts = [...host.querySelectorAll("script")].map(s => s.textContent);
if (!attachLater) { document.body.appendChild(host); }
for (const text of scripts) { new Function(text)(); }
if (attachLater) { setTimeout(() => document.body.appendChild(host), 300); }
"""


def test_runs_where_document_current_script_is_empty_and_twice_on_one_page(browser):
    animation = animate_backward(shared_sub_expression(), fmt=".1f")
    browser.get("about:blank")
    browser.execute_script(FRONT_END, animation.to_html(), False)
    browser.execute_script(FRONT_END, animation.to_html(), True)
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, 5).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".agl-backward[data-agl-ready]")) == 2)
    first, second = browser.find_elements(By.CSS_SELECTOR, ".agl-backward")
    first.find_element(By.CSS_SELECTOR, ".agl-next").click()
    check(state(browser, first), STEP_1, 2)
    check(state(browser, second), START, 1)  # each copy drives its own frames
    second.find_element(By.CSS_SELECTOR, ".agl-last").click()
    check(state(browser, second), STEP_2, 3)
    check(state(browser, first), STEP_1, 2)
    assert errors(browser) == []


def test_labels_that_look_like_markup_do_not_break_the_page(browser, tmp_path):
    x = Value(2.0, label="</script><!-- x")
    y = x * x
    y.label = "<b>y</b>"
    path = animate_backward(y, fmt=".1f").save(tmp_path / "markup.html")
    browser.get(path.as_uri())
    browser.find_element(By.CSS_SELECTOR, ".agl-next").click()
    s = state(browser)
    assert s["red"] == ["<b>y</b>"] and s["grads"]["</script><!-- x"] == "grad 4.0"
    assert errors(browser) == []


# --- the drawings a class sees, at 1,100 x 800 -----------------------------------------------

MEASURE = """
const root = arguments[0] || document.querySelector(".agl-backward");
const view = {width: window.innerWidth, height: window.innerHeight};
const svg = root.querySelector(".agl-graph svg");
const box = root.querySelector(".agl-graph").getBoundingClientRect();
const r = svg.getBoundingClientRect();
let smallest = Infinity;
for (const t of svg.querySelectorAll("text")) {
  // the font size times every scale on the way to the screen (zoom, Graphviz's own size)
  const size = parseFloat(t.getAttribute("font-size")) * t.getScreenCTM().a;
  if (t.textContent.trim() && t.getBoundingClientRect().width > 0) {
    smallest = Math.min(smallest, size);
  }
}
const caption = root.querySelector(".agl-caption");
const style = getComputedStyle(caption);
const visible = [...caption.childNodes].filter(n => n.nodeType === 3 || n.tagName === "DETAILS");
const rootBox = root.getBoundingClientRect();
return {view: view, graph: [r.left, r.top, r.right, r.bottom],
        box: [box.left, box.top, box.right, box.bottom],
        viewer: [rootBox.top, rootBox.bottom], smallest: smallest,
        page: document.documentElement.scrollHeight,
        lines: Math.round(caption.getBoundingClientRect().height / parseFloat(style.lineHeight)),
        hint: root.querySelectorAll(".agl-untrusted").length};
"""


def readme_neuron():
    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.2, label="b")
    n = (w * x + b).tanh()  # the README's viewer example
    n.label = "n"
    return animate_backward(n)


def mazur():
    """Notebook 02's viewer: Mazur's network, built as the notebook builds it."""
    return animate_backward(mazur_network())


def reused_deeper():
    """Notebook 10's viewer."""
    a = Value(3.0, label="a")
    b = a * 2
    b.label = "b"
    c = b * b
    c.label = "c"
    d = b + c
    d.label = "d"
    return animate_backward(d, fmt=".0f")


def mlp(depth=None):
    """An MLP(3, [4, 4, 1]) drawn to ``depth``: nn names its parameters and neuron outputs
    (where a Value has no label, the test names it, so that a missing name shows)."""
    from nn import MLP

    model = MLP(3, [4, 4, 1], seed=0)
    for name, p in model.named_parameters():
        if not p.label:
            p.label = name
    out = model([0.5, -1.0, 0.3])
    from autograd_lite.engine import reverse_topological_order
    for k, node in enumerate(reverse_topological_order(out)):
        if node._op in ("relu", "tanh", "sum") and not node.label:
            node.label = f"h{k}"
    return out, animate_backward(out, depth=depth)


VIEWERS = {"readme": readme_neuron, "notebook02": mazur, "notebook10": reused_deeper,
           "mlp": lambda: mlp(depth=2)[1]}


# Mazur's whole network, op by op, is 45 Values: at 1,100 x 800 its text is about 4 px.
UNREADABLE_WHOLE = {"notebook02"}


@pytest.mark.parametrize("name", VIEWERS)
def test_the_whole_graph_is_readable_at_the_start_in_a_1100_by_800_window(browser, tmp_path,
                                                                           name):
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        path = VIEWERS[name]().save(tmp_path / f"{name}.html")
    unreadable = [w for w in warned if issubclass(w.category, UnreadableDrawingWarning)]
    browser.set_window_size(1100, 800)
    browser.get(path.as_uri())
    m = browser.execute_script(MEASURE)
    browser.save_screenshot(os.path.join(tempfile.gettempdir(), f"agl-viewer-{name}.png"))
    left, top, right, bottom = m["graph"]
    assert left >= 0 and top >= 0, m
    assert right <= m["view"]["width"] and bottom <= m["view"]["height"], m  # the root too
    assert m["viewer"][1] <= m["view"]["height"] + 1, m  # the viewer fits the window
    assert m["page"] <= m["view"]["height"] + 1, m  # and the page does not scroll
    if name in UNREADABLE_WHOLE:  # too big to read whole: the viewer says how to draw less
        assert unreadable and "draw less" in str(unreadable[0].message), m
    else:
        assert m["smallest"] >= 9, m
        assert not unreadable
    assert m["lines"] <= 3, m
    assert m["hint"] == 0  # the script ran: no word about trusting
    for _ in range(4):  # later captions too
        browser.find_element(By.CSS_SELECTOR, ".agl-next").click()
        assert browser.execute_script(MEASURE)["lines"] <= 3
    assert errors(browser) == []


def test_every_node_of_the_mlp_drawing_has_a_name(browser, tmp_path):
    from autograd_lite.engine import reverse_topological_order

    out, animation = mlp()
    leaves = [n for n in reverse_topological_order(out) if not n._op]
    assert leaves and all(n.label for n in leaves)  # parameters carry their names
    path = animation.save(tmp_path / "mlp.html")
    browser.get(path.as_uri())
    texts = browser.execute_script(
        "return [...document.querySelectorAll('.agl-graph g.node')].map("
        "g => [...g.querySelectorAll('text')].map(t => t.textContent));")
    records = [t for t in texts if any(s.startswith("data") for s in t)]
    assert len(records) == len(reverse_topological_order(out))
    unnamed = [t for t in records if t[0].startswith("data")]
    # a record without a label is a product w * x, named in every caption by its op
    assert len(unnamed) == sum(1 for n in reverse_topological_order(out) if not n.label)
    for caption in animation.captions:
        assert "node (data" not in caption
