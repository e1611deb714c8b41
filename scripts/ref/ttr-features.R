#!/usr/bin/env Rscript
#
# ttr-features.R - reference values for lib/ind from an independent
# implementation, R's TTR package, on real bars.
#
# How tests/data/features/ttr-reference.csv was made (from the repo root):
#
#     apt-get install -y r-base-core r-cran-ttr     # Debian 12: R 4.2.2, TTR 0.24.3
#     Rscript scripts/ref/ttr-features.R
#
# Input: the AAPL and MSFT rows of tests/data/bars/sample.csv (Yahoo daily
# bars, 2014-01-02 to 2020-10-27, 1718 rows each).  Prices are adjusted
# first, exactly as sp-features does it: f = adj_close / close; open, high,
# low and close are multiplied by f; volume is divided by f.
#
# Output: symbol,date and one column per feature, named as sp-features
# names it, every value printed with 15 significant digits ("%.15g"),
# empty where TTR has no value.  Rows before the 100th of each symbol are
# left out: they are all inside a warm-up the test skips anyway (ten times
# the longest window), and leaving them out keeps the file small.
#
# Which TTR call gives each column, with the settings that make it follow
# TA-Lib's definitions, and the conversions applied:
#
#   ret_5            ROC(close, 5, type = "discrete")
#   logret_1         ROC(close, 1, type = "continuous")
#   roc_10           100 * ROC(close, 10, type = "discrete")   (TTR: fraction)
#   mom_10           momentum(close, 10)
#   sma_20           SMA(close, 20)
#   ema_20           EMA(close, 20)          (seeded with SMA of the first 20)
#   wma_10           WMA(close, 10)          (weights 1..10)
#   macd_12_26_9 ... MACD(close, 12, 26, 9, maType = "EMA", percent = FALSE);
#                    hist = macd - signal (TTR has no histogram column).
#                    TTR seeds the fast EMA with the first 12 closes, TA-Lib
#                    (and lib/ind) with the 12 ending at bar 26: the two agree
#                    once that seed has decayed, (11/13)^k, well before 260.
#   bb_*_20_2        BBands(close, 20, sd = 2): dn, mavg, up, pctB (population
#                    sd, as TA-Lib); width = (up - dn) / mavg (not in TTR).
#   vol_20           runSD(ROC(close, 1, "continuous"), 20)   (sample sd)
#   rsi_14           RSI(close, 14)          (Wilder EMA seeded with an SMA)
#   rsi_14_lag_1     rsi_14 one row earlier
#   stoch_*_14_3     100 * stoch(HLC, nFastK = 14, nFastD = 3)[, fastK / fastD]
#                    (TTR gives fractions)
#   willr_14         -100 * WPR(HLC, 14)     (TTR: 0..1, 0 at the high)
#   cci_20           CCI(HLC, 20)
#   mfi_14           MFI(HLC, volume, 14)
#   adx_14, plus_di_14, minus_di_14   ADX(HLC, 14)[, ADX / DIp / DIn]
#   tr, atr_14       ATR(HLC, 14)[, tr / atr]  (TTR has no TR for the first bar)
#   obv              OBV(close, volume)
#   vzscore_20       (volume - runMean(volume, 20)) / runSD(volume, 20)
#   gap              open / previous close - 1          (base R)
#   hlrange          (high - low) / close               (base R)
#   dhigh_20         close / runMax(high, 20) - 1
#   dlow_20          close / runMin(low, 20) - 1
#   dow              as.POSIXlt(date)$wday              (base R)
#
# Where TTR and TA-Lib differ at the edges (zero ranges: TTR gives 0.5 for
# stoch and Williams %R and 50 or 100 for MFI, TA-Lib 0; OBV ignores
# relative changes below 1.5e-8, TA-Lib none; TR and ATR at the first
# bar) tests/unit/test-ind-ref.c says what it compares.

suppressPackageStartupMessages(library(TTR))

args <- commandArgs(trailingOnly = TRUE)
input <- if (length(args) >= 1) args[1] else "tests/data/bars/sample.csv"
output <- if (length(args) >= 2) args[2] else "tests/data/features/ttr-reference.csv"
first_row <- 100

bars <- read.csv(input, colClasses = c("character", "character", rep("numeric", 6)))

features <- function(b) {
	f <- b$adj_close / b$close
	o <- b$open * f
	h <- b$high * f
	l <- b$low * f
	c <- b$close * f
	v <- b$volume / f
	n <- length(c)
	hlc <- cbind(h, l, c)

	macd <- MACD(c, 12, 26, 9, maType = "EMA", percent = FALSE)
	bb <- BBands(c, 20, sd = 2)
	rsi <- RSI(c, 14)
	st <- stoch(hlc, nFastK = 14, nFastD = 3)
	adx <- ADX(hlc, 14)
	atr <- ATR(hlc, 14)

	data.frame(
		symbol = b$symbol, date = b$date,
		ret_5 = ROC(c, 5, type = "discrete"),
		logret_1 = ROC(c, 1, type = "continuous"),
		roc_10 = 100 * ROC(c, 10, type = "discrete"),
		mom_10 = momentum(c, 10),
		sma_20 = SMA(c, 20),
		ema_20 = EMA(c, 20),
		wma_10 = WMA(c, 10),
		macd_12_26_9 = macd[, "macd"],
		macd_signal_12_26_9 = macd[, "signal"],
		macd_hist_12_26_9 = macd[, "macd"] - macd[, "signal"],
		bb_upper_20_2 = bb[, "up"],
		bb_middle_20_2 = bb[, "mavg"],
		bb_lower_20_2 = bb[, "dn"],
		bb_pctb_20_2 = bb[, "pctB"],
		bb_width_20_2 = (bb[, "up"] - bb[, "dn"]) / bb[, "mavg"],
		vol_20 = runSD(ROC(c, 1, type = "continuous"), 20),
		rsi_14 = rsi,
		rsi_14_lag_1 = c(NA, rsi[-n]),
		stoch_k_14_3 = 100 * st[, "fastK"],
		stoch_d_14_3 = 100 * st[, "fastD"],
		willr_14 = -100 * WPR(hlc, 14),
		cci_20 = as.numeric(CCI(hlc, 20)),
		mfi_14 = as.numeric(MFI(hlc, v, 14)),
		adx_14 = adx[, "ADX"],
		plus_di_14 = adx[, "DIp"],
		minus_di_14 = adx[, "DIn"],
		tr = atr[, "tr"],
		atr_14 = atr[, "atr"],
		obv = as.numeric(OBV(c, v)),
		vzscore_20 = (v - runMean(v, 20)) / runSD(v, 20),
		gap = c(NA, o[-1] / c[-n]) - 1,
		hlrange = (h - l) / c,
		dhigh_20 = c / runMax(h, 20) - 1,
		dlow_20 = c / runMin(l, 20) - 1,
		dow = as.POSIXlt(b$date, tz = "UTC")$wday,
		check.names = FALSE
	)[first_row:n, ]
}

out <- do.call(rbind, lapply(c("AAPL", "MSFT"), function(sym) {
	b <- bars[bars$symbol == sym, ]
	features(b[order(b$date), ])
}))

for (col in names(out)[-(1:2)]) {
	x <- out[[col]]
	out[[col]] <- ifelse(is.finite(x), sprintf("%.15g", x), "")
}
write.csv(out, output, row.names = FALSE, quote = FALSE)
