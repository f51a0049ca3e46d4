"""`vadcore runs export` / `import`: a teacher hands a notebook's trained runs to a class; a student
whose data (or vadcore) differ gets a clear error instead of runs that are not theirs."""
import pytest

from vadcore import cli, plan
from vadcore.methods import prediction
from vadcore.methods.study import run_all
from vadcore.runs import RunCache
from vadcore.share import export_runs, import_runs

TINY = prediction.Config(size=(32, 48), width=4, depth=2, discriminator=(4, 8, 8), iterations=1)


@pytest.fixture
def one_run_study(monkeypatch, tmp_path):
    """Notebook 01's study replaced by one tiny run on the session's synthped; the teacher's run
    cache in ``tmp_path``."""
    monkeypatch.setitem(plan.STUDIES, "01", type("Study", (), {"study": staticmethod(
        lambda profile, dataset, seeds, **_: run_all({("only",): TINY}))}))
    monkeypatch.setattr(plan, "_opened", {})  # notebooks opened by an earlier test hold its run cache
    monkeypatch.setenv("VADCORE_RUNS", str(tmp_path / "teacher-runs"))


def test_exported_runs_import_into_another_cache_and_read_as_trained(one_run_study, tmp_path, capsys):
    with pytest.raises(ValueError, match=r"is not trained: `vadcore train 01 --profile smoke` first"):
        export_runs("01", "smoke", tmp_path / "none.tar")
    trained = plan.train(["01"], "smoke", log=lambda line: None)
    assert cli.main(["runs", "export", "01", "--profile", "smoke", str(tmp_path / "runs01.tar")]) == 0
    assert "wrote 1 run(s) of notebook 01 at smoke" in capsys.readouterr().out
    student = RunCache(tmp_path / "student-runs")
    assert import_runs(tmp_path / "runs01.tar", student) == ("01", "smoke", trained)
    run = student.run(TINY)
    (teacher,) = [RunCache().root / key for key in trained]
    assert (student.root / trained[0] / "metrics.json").read_text() == (teacher / "metrics.json").read_text()
    assert (student.root / trained[0] / "checkpoint.pt").is_file() and run.key != trained[0]  # keys carry data and code
    assert all(p.cached for p in plan.plan(["01"], "smoke", cache=student)[0])


@pytest.mark.parametrize("differs, message", [
    ("data", r"your data differ from the teacher's: dataset 'synthped' has fingerprint other here and \w+ in the file"),
    ("code", r"your vadcore differs from the teacher's: code fingerprint other here"),
])
def test_importing_onto_other_data_or_code_is_refused_and_copies_nothing(one_run_study, tmp_path, monkeypatch,
                                                                        differs, message):
    plan.train(["01"], "smoke", log=lambda line: None)
    export_runs("01", "smoke", tmp_path / "runs01.tar")
    if differs == "data":
        monkeypatch.setattr("vadcore.data.video.VideoSet.fingerprint", lambda self: "other")
    else:
        monkeypatch.setattr("vadcore.methods.run_code", lambda config: "other")
    student = RunCache(tmp_path / "student-runs")
    with pytest.raises(ValueError, match=f"cannot import the runs of notebook 01 \\(\\('only',\\)\\): {message}"):
        import_runs(tmp_path / "runs01.tar", student)
    assert not student.root.exists()
