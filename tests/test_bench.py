"""`vadcore bench`: every family measured through its own training loop and a bare loop, and
results/bench.md keeps one section per machine."""
from vadcore import bench
from vadcore.methods import families


def test_measure_every_family_and_write_sections(tmp_path):
    built_in = {f for f in families().values() if f.__name__.startswith("vadcore.")}  # not a test's toy family
    assert len(built_in) == 4 and {family for _, family, _ in bench.MODELS} == built_in
    rows = [bench.measure("smoke", label, family, overrides, warmup=1, steps=1) for label, family, overrides in bench.MODELS]
    assert [m.model for m in rows] == [label for label, *_ in bench.MODELS]
    assert all(m.engine_steps_per_s > 0 and m.bare_steps_per_s > 0 and m.inference_per_s > 0 for m in rows)
    assert rows[0].size == (32, 48) and rows[0].device.startswith("cpu") and rows[0].peak_memory_mib is None
    m = rows[0]
    path = tmp_path / "bench.md"
    bench.write([m], path, saliency={"smoke": 1.5})
    other = bench.Measurement("cpu", "ADL", (96, 96), "another machine", "profile's own", 1.0, 2.0, 3.0)
    bench.write([other], path)
    bench.write([m], path)  # the same machine again replaces its section
    text = path.read_text()
    assert text.count("## ") == 2 and "another machine" in text and text.count("| smoke |") == 1
    assert "| 2.00 |" in text  # the other machine's overhead: bare 2.0 / engine 1.0
    here_cpu = bench.Measurement("cpu", "ADL", (96, 96), m.device, "profile's own", 3.0, 4.0, 5.0)
    bench.write([here_cpu], path)  # another profile on this machine: its row joins the smoke row
    bench.write([m], path)  # re-measuring smoke keeps the cpu row, in profile order
    section = path.read_text().split(f"## {m.device}")[1].split("## ")[0]
    table = [line for line in section.splitlines() if line.startswith("| smoke") or line.startswith("| cpu")]
    assert [row.split("|")[1].strip() for row in table] == ["smoke", "cpu"] and "3.00" in table[1]
