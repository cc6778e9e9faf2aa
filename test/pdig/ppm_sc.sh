#!/bin/sh
# The generic event's PPM_SC codes come from shm/ppm_sc.in, our data file:
# the generated table carries them without libscap's headers, a sc= in
# syscalls.in that disagrees is refused, and, when libscap's header and
# library are installed, the data file's codes and categories still match
# them (scripts/gen_ppm_sc.py --check).
PY=$1 SCRIPTS=$2 PDIG_SRC=$3 EVENTS=$4 DATA=$5
GEN=$SCRIPTS/gen_syscall_table.py PPM=$SCRIPTS/gen_ppm_sc.py
LIBSCAP=/usr/lib/x86_64-linux-gnu/libscap.so
UNISTD=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
HEADER=/usr/include/falcosecurity-libs/driver/ppm_events_public.h
[ -f "$UNISTD" ] || { echo "SKIP: no $UNISTD (the generic rows need it)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

# 1. no data file given: the codes come from the project's shm/ppm_sc.in
"$PY" "$GEN" "$PDIG_SRC/syscalls.in" "$EVENTS" "$tmp/t.h" "$tmp/t.c" "$UNISTD" ||
	{ echo "FAIL: the table does not build"; exit 1; }
# generic rows of the table: NAME CODE
sed -n 's/^\t{"\([a-z0-9_]*\)", [0-9]*, SHM_EV_GENERIC_E, SHM_EV_GENERIC_X, \([0-9]*\),.*/\1 \2/p' \
	"$tmp/t.c" > "$tmp/rows"
awk 'NR == FNR { if ($0 !~ /^#/ && NF == 3) code[$1] = $2; next }
	{ want = ($1 in code) ? code[$1] : 0; if ($2 != want) { print "  " $1 ": " $2 ", want " want; bad++ }
	  if ($2 > 0) known++ }
	END { print known + 0 > "/dev/stderr"; exit bad > 0 }' "$DATA" "$tmp/rows" 2> "$tmp/known" &&
	ok "every generic row has the code ppm_sc.in gives its name" ||
	bad "generic rows with another code than ppm_sc.in's"
known=$(cat "$tmp/known")
[ "$known" -gt 200 ] && ok "$known generic rows with a known code" ||
	bad "only $known generic rows with a code (want > 200)"

# 2. a build file still passing the libscap header gets the same table
if [ -f "$HEADER" ]; then
	"$PY" "$GEN" "$PDIG_SRC/syscalls.in" "$EVENTS" "$tmp/h.h" "$tmp/h.c" "$UNISTD" "$HEADER" &&
		cmp -s "$tmp/t.c" "$tmp/h.c" && ok "a header argument is not read (same table)" ||
		bad "the table depends on the libscap header argument"
fi

# 3. sc= must agree with the data file
printf 'init_module 175 GENERIC_E GENERIC_X generic exit default sc=77\n' > "$tmp/bad.in"
out=$("$PY" "$GEN" "$tmp/bad.in" "$EVENTS" "$tmp/b.h" "$tmp/b.c" "$UNISTD" "$DATA" 2>&1)
[ $? != 0 ] && printf '%s' "$out" | grep -q "bad.in:1: sc=77, but ppm_sc.in gives init_module the code 76" &&
	ok "a sc= disagreeing with ppm_sc.in is refused" || bad "wrong sc= accepted: '$out'"
printf 'read x EC_IO_READ\n' > "$tmp/bad_sc.in"
out=$("$PY" "$GEN" "$PDIG_SRC/syscalls.in" "$EVENTS" "$tmp/b.h" "$tmp/b.c" "$UNISTD" "$tmp/bad_sc.in" 2>&1)
[ $? != 0 ] && printf '%s' "$out" | grep -q "bad_sc.in:1: need NAME CODE CATEGORY" &&
	ok "a malformed ppm_sc.in is refused by line" || bad "malformed ppm_sc.in accepted: '$out'"

# 4. the data file against libscap's header, when installed
if [ -f "$HEADER" ]; then
	"$PY" "$PPM" --check "$HEADER" "$DATA" > "$tmp/check" &&
		ok "ppm_sc.in agrees with $HEADER" || { bad "ppm_sc.in differs from the header:"; cat "$tmp/check"; }
	[ -e "$LIBSCAP" ] && { "$PY" "$PPM" "$HEADER" "$LIBSCAP" > "$tmp/regen.in" && cmp -s "$tmp/regen.in" "$DATA" &&
		ok "gen_ppm_sc.py regenerates ppm_sc.in as committed" || bad "regenerated ppm_sc.in differs"; }
	# the comparison can fail: one code changed
	sed 's/^lseek [0-9]* /lseek 9999 /' "$DATA" > "$tmp/changed.in"
	"$PY" "$PPM" --check "$HEADER" "$tmp/changed.in" > "$tmp/check2"
	[ $? = 1 ] && grep -q "^lseek: header 15, data file 9999" "$tmp/check2" &&
		ok "--check reports a changed code" || { bad "--check missed a changed code:"; cat "$tmp/check2"; }
	# and a changed category (evt.category of the generic event), with libscap
	if [ -e "$LIBSCAP" ]; then
		sed 's/^ustat \([0-9]*\) EC_FILE$/ustat \1 EC_NET/' "$DATA" > "$tmp/changed_cat.in"
		"$PY" "$PPM" --check "$HEADER" "$tmp/changed_cat.in" "$LIBSCAP" > "$tmp/check3"
		[ $? = 1 ] && grep -q "^ustat: libscap EC_FILE, data file EC_NET" "$tmp/check3" &&
			ok "--check reports a changed category" ||
			{ bad "--check missed a changed category:"; cat "$tmp/check3"; }
	else
		echo "note: $LIBSCAP not installed: categories are not compared with libscap"
	fi
else
	echo "note: $HEADER not installed: the data file is not compared with libscap"
fi
exit $fail
