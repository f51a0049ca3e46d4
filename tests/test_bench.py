"""`vadcore bench`: measurements are positive and results/bench.md keeps one section per machine."""
from vadcore import bench


def test_measure_and_write_sections(tmp_path):
    m = bench.measure("smoke", steps=1, batches=1, inference_batch=4)
    assert m.train_steps_per_s > 0 and m.inference_fps > 0 and m.saliency_fps > 0 and m.dissociation_fps > 0 and m.size == (32, 48)
    path = tmp_path / "bench.md"
    bench.write([m], path)
    other = bench.Measurement("cpu", (96, 96), 32, "another machine", "fp32", 1.0, 2.0, None)
    bench.write([other], path)
    bench.write([m], path)  # the same machine again replaces its section
    text = path.read_text()
    assert text.count("## ") == 2 and "another machine" in text and text.count("| smoke |") == 1
    here_cpu = bench.Measurement("cpu", (96, 96), 32, m.device, "fp32", 3.0, 4.0, None)
    bench.write([here_cpu], path)  # another profile on this machine: its row joins the smoke row
    bench.write([m], path)  # re-measuring smoke keeps the cpu row, in profile order
    section = path.read_text().split(f"## {m.device}")[1].split("## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| smoke") or line.startswith("| cpu")]
    assert [row.split("|")[1].strip() for row in rows] == ["smoke", "cpu"] and "3.00" in rows[1]
