"""Units of the metrics layer that need no warehouse."""


def test_bootstrap_intervals_do_not_depend_on_row_order():
    import numpy as np
    import pandas as pd

    from talentflow.metrics.uncertainty import BootstrapParams, bootstrap_cells, ratio

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"researcher_id": [f"r{i % 40}" for i in range(200)],
                          "cell": rng.choice(["A", "B", "C"], 200), "num": rng.integers(0, 3, 200),
                          "den": rng.integers(1, 5, 200)})

    def stat(v):
        return {"rate": ratio(v["num"], v["den"])}

    boot = BootstrapParams(n_boot=50, seed=1)
    a = bootstrap_cells(frame, ["cell"], ["num", "den"], stat, boot)
    b = bootstrap_cells(frame.sample(frac=1, random_state=9), ["cell"], ["num", "den"], stat, boot)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
