#!/usr/bin/env bash
# t21-clean-aliases: vendor layouts bound by column aliases, on real files:
# Yahoo (Date, Adj Close, any order) with --symbol, Kaggle (Name, missing
# values), Alpha Vantage (timestamp, adjusted_close, CRLF, newest first, a
# 5:1 split).  Expectations come from awk and jq over the inputs.
. tests/cli/lib.sh

D=tests/data/bars
sessions=tests/data/calendar/xnys_sessions_1990_2023.csv

# numbers FILE: the CSV's fields as JSON (numbers where they parse), so that
# values compare exactly whatever their printed form
numbers() { tail -n +2 "$1" | tr -d '\r' | jq -cR 'split(",") | map(tonumber? // .)'; }
invariant() {
	is "$(jq '.rows_read == .rows_written + .rows_rejected +
		.duplicates.exact + .duplicates.conflicting' "$1")" true \
		"$2: rows_read = rows_written + rows_rejected + duplicates"
}
# rejected_at REJECTS: "LINE CODE" per rejected row
rejected_at() { awk -F, 'NR > 1 { r = $3; sub(/^"/, "", r); sub(/:.*/, "", r); print $2, r }' "$1"; }
# gaps CLEAN: "date gap:N" wherever N NYSE sessions lie between two rows
gaps() {
	awk -F, 'NR == FNR { if (FNR > 1) ord[substr($1, 1, 10)] = FNR; next }
		FNR > 1 { if (prev && ord[$2] - ord[prev] > 1) print $2, "gap:" ord[$2] - ord[prev] - 1
			prev = $2 }' $sessions "$1"
}

# Yahoo's download CSV: Date,Open,High,Low,Close,Adj Close,Volume, no final newline.
y=$D/yahoo_download_v7_AAPL_2020-01-02.csv
exits 1 "no symbol column and no --symbol" sp sp-clean -q -o "$T/y0.csv" $y 2>"$T/err"
has "$T/err" "no 'symbol' column \(give --symbol\)" "asks for --symbol"
exits 0 "Yahoo layout with --symbol aapl" sp sp-clean -q --symbol aapl --summary "$T/y.json" -o "$T/y.csv" $y
invariant "$T/y.json" "Yahoo download"
is "$(tail -1 "$T/y.csv")" "AAPL,2020-01-02,74.059998,75.150002,73.797501,75.087502,74.444603,135480400," \
	"Date/Open/.../Adj Close/Volume bound; --symbol upper-cased"

# Yahoo via a Python client: Date,High,Low,Open,Close,Volume,Adj Close; float32 noise.
v=$D/yahoo_stock_dfs_VNT.csv
sp sp-clean -q --symbol VNT --summary "$T/v.json" -o "$T/v.csv" $v
invariant "$T/v.json" VNT
awk -F, -v OFS=, 'NR > 1 { print "VNT", $1, $4, $2, $3, $5, $7, $6, "" }' $v >"$T/v.want"
numbers "$T/v.csv" >"$T/v.got.json"
numbers <(echo; cat "$T/v.want") >"$T/v.want.json"
same_file "$T/v.got.json" "$T/v.want.json" "VNT: columns bound by name whatever their order; every value exact"
has "$T/v.csv" '^VNT,2020-10-12,28.270000457763672,29,27.6200008392334,' "29.0 prints as 29, float32 noise is kept"

# Kaggle: date,open,high,low,close,volume,Name; two rows with missing values.
k=$D/kaggle_sp500_5yr_DHR_data.csv
exits 0 "Kaggle layout" sp sp-clean -q --rejects "$T/k-rej.csv" --summary "$T/k.json" -o "$T/k.csv" $k
# What awk says is wrong with each row (tolerance 1e-6).
awk -F, 'NR > 1 {
	if ($2 == "" || $3 == "" || $4 == "" || $5 == "") print NR, "missing_field"
	else if ($3 < $4) print NR, "high_below_low"
	else if ($2 > $3 * (1 + 1e-6) || $2 < $4 * (1 - 1e-6)) print NR, "open_outside_range"
	else if ($5 > $3 * (1 + 1e-6) || $5 < $4 * (1 - 1e-6)) print NR, "close_outside_range" }' $k >"$T/k.want"
rejected_at "$T/k-rej.csv" >"$T/k.got"
same_file "$T/k.got" "$T/k.want" "DHR: exactly the rows awk finds bad are rejected, with the same reason"
is "$(grep -c missing_field "$T/k-rej.csv")" 2 "DHR: two rows with missing values"
has "$T/k-rej.csv" ',600,missing_field: open is empty,"2015-07-17,' "2015-07-17 (empty open) is missing_field"
has "$T/k-rej.csv" ',723,missing_field: open is empty,"2016-01-12,' "2016-01-12 (empty open/high/low) is missing_field"
is "$(cut -d, -f1 "$T/k.csv" | tail -n +2 | sort -u)" DHR "the Name column is the symbol"
is "$(($(wc -l <"$T/k.csv") - 1))" "$(($(wc -l <$k) - 1 - $(wc -l <"$T/k.want")))" "every other row is written"
is "$(cut -d, -f7 "$T/k.csv" | tail -n +2 | sort -u)" "" "no adjusted close: adj_close is empty"
invariant "$T/k.json" DHR
gaps "$T/k.csv" >"$T/k-gaps.want"
awk -F, '$NF ~ /gap/ { print $2, $NF }' "$T/k.csv" >"$T/k-gaps.got"
same_file "$T/k-gaps.got" "$T/k-gaps.want" "DHR: a gap:N flag after each run of N missing sessions"
has "$T/k-gaps.got" '^2015-07-20 gap:1$' "the rejected 2015-07-17 leaves a gap"

# Alpha Vantage: timestamp,...,adjusted_close,...; CRLF; newest first; 5:1 split.
t=$D/alphavantage_daily_adjusted_TSLA.csv
exits 0 "Alpha Vantage layout" sp sp-clean -q --symbol TSLA --summary "$T/t.json" -o "$T/t.csv" $t
is "$(head -1 "$T/t.csv")" "symbol,date,open,high,low,close,adj_close,volume,dividend_amount,split_coefficient,flags" \
	"timestamp and adjusted_close bound; the other columns pass through"
is "$(($(wc -l <"$T/t.csv") - 1))" "$(($(wc -l <$t) - 1))" "all 2629 rows written"
is "$(grep -c $'\r' "$T/t.csv")" 0 "no CR in the output"
tail -n +2 "$T/t.csv" | cut -d, -f2 | sort -c
ok $? "dates ascend"
is "$(sed -n 2p "$T/t.csv" | cut -d, -f2),$(tail -1 "$T/t.csv" | cut -d, -f2)" \
	"2010-06-29,2020-12-04" "from the oldest to the newest"
awk -F, -v OFS=, 'NR > 1 { sub(/\r$/, ""); print "TSLA", $1, $2, $3, $4, $5, $6, $7, $8, $9, "" }' $t |
	sort -t, -k2,2 >"$T/t.want"
numbers "$T/t.csv" | jq -c 'del(.[10])' >"$T/t.got.json"
numbers <(echo; cat "$T/t.want") | jq -c 'del(.[10])' >"$T/t.want.json"
same_file "$T/t.got.json" "$T/t.want.json" "TSLA: every value is kept exactly"
has "$T/t.csv" '^TSLA,2020-08-31,444.61,500.14,440.11,498.32,498.32,115847020,0.0000,5.0,split$' \
	"2020-08-31: close 2213.4 -> 498.32, adjusted close steady: split"
is "$(grep -c 'split$' "$T/t.csv")" 1 "the only split flag"
is "$(jq -c '[.flags.split, .rows_rejected]' "$T/t.json")" '[1,0]' "summary: one split, no rejects"
invariant "$T/t.json" TSLA

done_testing
