"""scikit-learn side of `npm run bench:sklearn`: exports each data set and its 5 seeded 75/25 splits to JSON, and
fits scikit-learn's MLPClassifier / MLPRegressor (defaults) behind a StandardScaler on one thread, timing fit (wall and process CPU time:
the machine may be shared, and CPU time is what one thread really spent).

usage: python3 fit_sklearn.py OUT.json
Writes {datasets: [{name, task, x, y, splits: [{train, test}], sklearn: [{score, fitSeconds, cpuSeconds, iterations}]}], versions}.
"""
import json
import os
import sys
import time
import warnings

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "1"

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn import datasets  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

SEEDS = [0, 1, 2, 3, 4]
SETS = [
    ("iris", "classification", datasets.load_iris),
    ("wine", "classification", datasets.load_wine),
    ("breast cancer", "classification", datasets.load_breast_cancer),
    ("digits", "classification", datasets.load_digits),
    ("diabetes", "regression", datasets.load_diabetes),
]


def main(out_path):
    out = {"versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}, "datasets": []}
    warnings.simplefilter("ignore", ConvergenceWarning)
    with threadpool_limits(limits=1):
        for name, task, load in SETS:
            x, y = load(return_X_y=True)
            idx = np.arange(len(y))
            entry = {"name": name, "task": task, "x": x.tolist(), "y": y.tolist(), "splits": [], "sklearn": []}
            for seed in SEEDS:
                tr, te = train_test_split(idx, test_size=0.25, random_state=seed, stratify=y if task == "classification" else None)
                entry["splits"].append({"train": tr.tolist(), "test": te.tolist()})
                est = MLPClassifier(random_state=seed) if task == "classification" else MLPRegressor(random_state=seed)
                model = make_pipeline(StandardScaler(), est)
                t0, c0 = time.perf_counter(), time.process_time()
                model.fit(x[tr], y[tr])
                secs, cpu = time.perf_counter() - t0, time.process_time() - c0
                entry["sklearn"].append({"score": float(model.score(x[te], y[te])), "fitSeconds": secs, "cpuSeconds": cpu, "iterations": int(est.n_iter_)})
            out["datasets"].append(entry)
    with open(out_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1])
