# synth.awk - synthetic features for sp-train's tests, independent of sp.
#
#   awk -v seed=1 -v nsym=20 -v ndates=1000 -v beta=0.004 -v vol=0.01 \
#       -v volmult=1 -f tests/cli/synth.awk
#
# Each symbol's log return on day t+1 is beta * sig[t] + vol[t] * e, with
# sig and e independent standard normals, and vol[t] = vol, times volmult
# from the middle date on.  So the 5-day return from t depends linearly on
# sig[t] (through its first day) and on nothing else; noise is a feature
# with no information.  Writes symbol,date,close,sig,noise,y_ret_5 with
# y_ret_5 = px[t+5]/px[t] - 1, empty for the last 5 dates.  Dates are
# the weekdays from 2010-01-04.
function normal(   u, v) {
	if (have) { have = 0; return spare }
	do u = rand(); while (u == 0)
	v = rand()
	spare = sqrt(-2 * log(u)) * sin(6.283185307179586 * v)
	have = 1
	return sqrt(-2 * log(u)) * cos(6.283185307179586 * v)
}
function civil(z,   era, doe, yoe, doy, mp, d, m, y) {	# days since 1970 -> Y-M-D
	z += 719468
	era = int(z / 146097)
	doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
}
BEGIN {
	srand(seed)
	if (!nsym) nsym = 20
	if (!ndates) ndates = 1000
	if (volmult == "") volmult = 1
	if (vol == "") vol = 0.01
	if (beta == "") beta = 0
	day = 14613	# 2010-01-04, a Monday
	for (t = 0; t < ndates; t++) {
		while ((day + 4) % 7 == 0 || (day + 4) % 7 == 6)	# skip Sun (0), Sat (6)
			day++
		date[t] = civil(day)
		day++
	}
	print "symbol,date,close,sig,noise,y_ret_5"
	for (s = 0; s < nsym; s++) {
		sym = sprintf("S%03d", s)
		b = alt && s % 2 ? -beta : beta
		c = 100
		for (t = 0; t < ndates; t++) {
			px[t] = c
			sig[t] = normal()
			noise[t] = normal()
			v = vol * (t >= ndates / 2 ? volmult : 1)
			c = c * exp(b * sig[t] + v * normal())
		}
		for (t = 0; t < ndates; t++) {
			y = t + 5 < ndates ? sprintf("%.17g", px[t + 5] / px[t] - 1) : ""
			printf "%s,%s,%.17g,%.17g,%.17g,%s\n", sym, date[t], px[t], sig[t], noise[t], y
		}
	}
}
