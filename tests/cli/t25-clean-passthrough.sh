#!/usr/bin/env bash
# Unknown columns pass through unchanged: NDJSON objects, arrays, booleans
# and integers keep their JSON; a CSV field with a NUL byte is rejected, not
# cut short.
. tests/cli/lib.sh

row='{"symbol":"A","date":"2020-01-02","open":1,"high":2,"low":1,"close":1.5,"x":[1,2,{"k":"v"}],"y":{"k":1,"l":[true,null]},"b":false,"n":123456789012345}'
echo "$row" >"$T/in.ndjson"
sp sp-clean -q "$T/in.ndjson" -o "$T/out.ndjson"
ok $? "sp-clean reads NDJSON with nested values"
is "$(jq -c '[.x, .y, .b, .n]' "$T/out.ndjson")" "$(echo "$row" | jq -c '[.x, .y, .b, .n]')" \
	"objects, arrays, booleans and big integers come out as they went in"
sp sp-clean -q -f csv "$T/in.ndjson" -o "$T/out.csv"
is "$(sed -n 2p "$T/out.csv" | cut -d, -f9-)" \
	'"[1,2,{""k"":""v""}]","{""k"":1,""l"":[true,null]}",false,123456789012345,' \
	"in CSV they are their compact JSON text"

printf 'symbol,date,open,high,low,close,adj_close,volume,note\nA,2020-01-02,1,2,1,1.5,,,a\0b\nB,2020-01-02,1,2,1,1.5,,,ab\n' >"$T/nul.csv"
sp sp-clean -q "$T/nul.csv" -o "$T/nul.out" --rejects "$T/nul.rej" --summary "$T/nul.json"
is "$(tail -n +2 "$T/nul.out")" "B,2020-01-02,1,2,1,1.5,,,ab," "the row without a NUL byte is written"
has "$T/nul.rej" ',2,malformed: NUL byte in a field,' "the row with one is rejected, with its line"
is "$(jq '.rows_read == .rows_written + .rows_rejected' "$T/nul.json")" true "and counted"

done_testing
