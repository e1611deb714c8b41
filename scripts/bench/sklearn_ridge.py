#!/usr/bin/python3
"""sklearn_ridge.py FILE - sp-train's default ridge (walk-forward selection
of the penalty, then the final fit) in pandas and scikit-learn, the peer in
scripts/bench/train.  It reads sp-features' output with a y_ret_N target and
prints the final penalty, the coefficients on the original scale, the
intercept and each fold's penalty as JSON.

The rules are lib/train.c's: rows lacking a feature or the target are
dropped, rows go by date then symbol, the m dates are cut into K+1 blocks
(b_k = floor(k m / (K+1))), fold k = 1..K tests [b_k, b_k+1) after training
on [0, b_k - gap), gap = horizon + embargo (embargo = horizon); inside
training dates [lo, T) the last nv = max(1, floor(0.2 (T - lo))) dates
validate fits on [lo, T - nv - gap), the penalty with the smallest squared
error wins (the first on ties), and it is refitted on all of [lo, T).  The
final model makes the same choice on all m dates.  StandardScaler uses the
population sd, and Ridge's penalty is on the sum of squares, as sp's is."""
import json
import math
import re
import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ALPHAS = [0.01, 0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6]
FOLDS = 5
VAL_FRAC = 0.2
NOT_FEATURES = {"symbol", "date", "close", "open", "high", "low", "adj_close", "volume"}


def fit(X, y, a, b, alpha):
    return make_pipeline(StandardScaler(), Ridge(alpha=alpha)).fit(X[a:b], y[a:b])


def select(X, y, start, lo, hi, gap):
    """Fit on dates [lo, hi), the penalty chosen on the last dates of them."""
    nv = max(1, math.floor(VAL_FRAC * (hi - lo)))
    dv = hi - nv
    if dv < lo + gap + 2:
        sys.exit(f"sklearn_ridge: {hi - lo} training dates are too few")
    inner_end, va, vb = start[dv - gap], start[dv], start[hi]
    best, best_mse = None, math.inf
    for alpha in ALPHAS:
        mse = mean_squared_error(y[va:vb], fit(X, y, start[lo], inner_end, alpha).predict(X[va:vb]))
        if mse < best_mse:
            best, best_mse = alpha, mse
    return best, fit(X, y, start[lo], vb, best)


def main():
    df = pd.read_csv(sys.argv[1])
    targets = [c for c in df.columns if re.fullmatch(r"y_(log)?ret_[1-9][0-9]*", c)]
    if len(targets) != 1:
        sys.exit(f"sklearn_ridge: want one y_ret_N target, have {targets}")
    target = targets[0]
    horizon = int(target.rsplit("_", 1)[1])
    gap = 2 * horizon
    features = [c for c in df.columns
                if c not in NOT_FEATURES and not c.startswith("y_")
                and pd.api.types.is_numeric_dtype(df[c])]

    df = df.dropna(subset=features + [target]).sort_values(["date", "symbol"])
    X = df[features].to_numpy(dtype=np.float64)
    y = df[target].to_numpy(dtype=np.float64)
    dates, codes = np.unique(df["date"].to_numpy(), return_inverse=True)
    m = len(dates)
    start = np.searchsorted(codes, np.arange(m + 1))  # first row of each date

    fold_alphas = []
    for k in range(1, FOLDS + 1):
        d0, d1 = k * m // (FOLDS + 1), (k + 1) * m // (FOLDS + 1)
        alpha, model = select(X, y, start, 0, d0 - gap, gap)
        model.predict(X[start[d0]:start[d1]])
        fold_alphas.append(alpha)

    alpha, model = select(X, y, start, 0, m, gap)
    scaler, ridge = model[0], model[1]
    coef = ridge.coef_ / scaler.scale_
    intercept = ridge.intercept_ - coef @ scaler.mean_
    json.dump({"rows": len(y), "dates": m, "features": features, "fold_alphas": fold_alphas,
               "alpha": alpha, "coef": coef.tolist(), "intercept": float(intercept)},
              sys.stdout)
    print()


if __name__ == "__main__":
    main()
