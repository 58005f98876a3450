"""Share links made by the app before the layout change (commit 104356a) open the same views today.

Each link was written by that version's ``to_query`` (Playground, Sweep, Maps) or by hand as its README
describes (Lessons, teacher links). Opened in AppTest, each must render without a warning or an exception,
show the settings it names, and leave in the address bar a link to the same view: today's shorter form, which
leaves out what the parser restores by itself (issue 15, item 8), and is never longer than the old link.
"""

from __future__ import annotations

import urllib.parse

import pytest

from tests.apptest import open_page
from views.common.scenario import Scenario
from views.maps.settings import MapsSettings
from views.sweep.settings import SweepSettings

PLAYGROUND_ROSENBROCK = (
    "surface=rosenbrock&rosenbrock.a=1.0&rosenbrock.b=100.0&opt=sgd,momentum,adagrad,rmsprop,adam&sgd.lr=0.002"
    "&momentum.lr=0.001&momentum.momentum=0.9&adagrad.eps=1e-10&adagrad.lr=0.5&rmsprop.centered=0&rmsprop.eps=1e-08"
    "&rmsprop.lr=0.005&rmsprop.momentum=0.0&rmsprop.rho=0.9&adam.amsgrad=0&adam.beta1=0.9&adam.beta2=0.999"
    "&adam.eps=1e-08&adam.lr=0.05&conv=keras&start=-1.2,1.0&steps=1000&noise=0.1&seed=3&tol=1e-06&curv=1&k=40"
)
PLAYGROUND_CUSTOM = (
    "surface=custom&custom.expr=sin%28x%29*cos%28y%29&custom.xmax=4.0&custom.xmin=-4.0&custom.ymax=4.0"
    "&custom.ymin=-4.0&opt=sgd,momentum,adagrad,rmsprop,adam&sgd.lr=0.04&momentum.lr=0.01&momentum.momentum=0.9"
    "&adagrad.eps=1e-10&adagrad.lr=0.3&rmsprop.centered=0&rmsprop.eps=1e-08&rmsprop.lr=0.02&rmsprop.momentum=0.0"
    "&rmsprop.rho=0.9&adam.amsgrad=0&adam.beta1=0.9&adam.beta2=0.999&adam.eps=1e-08&adam.lr=0.1&conv=pytorch"
    "&start=-3.2,3.2&steps=150&noise=0.0&seed=0&tol=1e-06"
)
SWEEP_ADAM = (
    "surface=bowl&bowl.angle=0.0&bowl.condition=100.0&opt=adam&adam.amsgrad=0&adam.beta2=0.999&adam.eps=1e-08"
    "&conv=pytorch&start=-1.8%2C1.2&steps=150&noise=0.0&seed=0&tol=1e-06&x=lr&xmin=0.0001&xmax=1.0&nx=20"
    "&xscale=log&y=beta1&ymin=0.0&ymax=0.999&ny=15&yscale=log1m&metric=loss&cmp=sgd%2Cmomentum%2Crmsprop%2Cadam"
    "&best=steps"
)
MAPS_DEFAULT = (
    "surface=himmelblau&opt=sgd,rmsprop&sgd.lr=0.01&rmsprop.centered=0&rmsprop.eps=1e-08&rmsprop.lr=0.05"
    "&rmsprop.momentum=0.0&rmsprop.rho=0.9&conv=pytorch&start=0.0,0.0&steps=500&noise=0.0&seed=0&tol=1e-06"
    "&res=30&radius=0.02&metric=loss&lrs=20"
)
TEACHER = "surface=bowl&opt=sgd,rmsprop&only=rmsprop.lr,rmsprop.rho&hide=noise,seed&ask=first"


def query(link: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(link, keep_blank_values=True))


def opened(page: str, link: str):
    at = open_page(page, timeout=120)
    for key, value in query(link).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]
    return at


def address(at) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def same_view(at, link: str, settings_type) -> None:
    """The address bar names the settings the link named, in no more characters."""
    now = address(at)
    assert settings_type.from_query(now) == settings_type.from_query(query(link))
    assert settings_type.from_query(now)[1] == []
    assert len(urllib.parse.urlencode(now)) <= len(urllib.parse.urlencode(query(link)))


@pytest.mark.parametrize("link", [PLAYGROUND_ROSENBROCK, PLAYGROUND_CUSTOM], ids=["rosenbrock", "custom"])
def test_playground_links(link: str) -> None:
    at = opened("playground", link)
    shown: Scenario = at.session_state["pg.scenario"]
    expected, warnings = Scenario.from_query(query(link))
    assert not warnings and shown == expected
    same_view(at, link, Scenario)
    if shown.surface == "rosenbrock":
        assert (shown.convention, shown.noise, shown.seed, shown.curv, shown.k) == ("keras", 0.1, 3, True, 40)
        assert shown.hp("rmsprop")["lr"] == 0.005 and len(shown.optimizers) == 5
    else:
        assert shown.params()["expr"] == "sin(x)*cos(y)" and shown.start == (-3.2, 3.2)


def test_sweep_link() -> None:
    at = opened("sweep", SWEEP_ADAM)
    settings = at.session_state["sw.settings"]
    job = settings.job
    assert (job.surface, job.optimizer, job.x.name, job.y.name, job.x.count, job.y.count) == (
        "bowl", "adam", "lr", "beta1", 20, 15,
    )  # fmt: skip
    assert settings.compare == ("sgd", "momentum", "rmsprop", "adam")
    same_view(at, SWEEP_ADAM, SweepSettings)


def test_maps_link() -> None:
    at = opened("maps", MAPS_DEFAULT)
    settings = at.session_state["maps.settings"]
    assert (settings.scenario.surface, settings.scenario.optimizers, settings.resolution, settings.lr_count) == (
        "himmelblau", ("sgd", "rmsprop"), 30, 20,
    )  # fmt: skip
    same_view(at, MAPS_DEFAULT, MapsSettings)


def test_lessons_link() -> None:
    at = opened("lessons", "lesson=eps")
    assert at.title[0].value == "5. What eps does, and where frameworks put it"
    assert address(at) == {"lesson": "eps"}


def test_teacher_link() -> None:
    at = opened("playground", TEACHER)
    assert [r.label for r in at.radio if r.label == "Your guess"], "the question is asked first"
    assert at.session_state["pg.scenario"].optimizers == ("sgd", "rmsprop")
    free = {w.key for w in at.select_slider if not w.disabled}
    assert free >= {"pg.hp.rmsprop.lr", "pg.hp.rmsprop.rho"}
    assert not any(w.key in ("pg.noise", "pg.seed") for w in [*at.select_slider, *at.number_input])
    assert "pg.steps" not in free
    assert {k: v for k, v in address(at).items() if k in ("only", "hide", "ask")} == {
        "only": "rmsprop.lr,rmsprop.rho",
        "hide": "noise,seed",
        "ask": "first",
    }
