# sp - one Makefile for the tools, the library, tests, benchmarks and fuzzers.
#
#   make              build every tool into $(BUILD)/bin
#   make check        install deps, build, run every test (plain, ASan+UBSan,
#                     valgrind, short fuzz runs); ends "N passed, N failed"
#   make demo         install deps, build, run the pipeline on bundled data
#   make bench        benchmarks against the peers named in the issues
#   make fuzz         run every libFuzzer target for FUZZ_SECONDS each
#   make install      PREFIX=/usr/local DESTDIR=
#   make DEVELOPER=1  warnings are errors

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BUILD ?= build
CC ?= cc
CXX ?= c++
FUZZ_SECONDS ?= 60

PKGS := libzstd jansson double-conversion gsl xgboost libcurl simdjson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lcsv -lm

OPT ?= -O2
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wundef -Wvla -Wpointer-arith -Wno-unused-parameter
CFLAGS ?= $(OPT) -g
CXXFLAGS ?= $(OPT) -g
ifdef DEVELOPER
WARN += -Werror
endif
ifdef SANITIZE
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) -Ilib $(PKG_CFLAGS)
ALL_CXXFLAGS = -std=c++17 -Wall -Wextra $(CXXFLAGS) -Ilib $(PKG_CFLAGS)
# The C++ bridge (lib/*.cc) pulls in libstdc++; link with the C++ driver.
LINK = $(CXX) -pthread $(LDFLAGS) -Wl,--as-needed

LIB_C := $(wildcard lib/*.c)
LIB_CXX := $(wildcard lib/*.cc)
LIB_OBJ := $(LIB_C:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cc=$(BUILD)/%.o)
LIBSP := $(BUILD)/libsp.a

CMD_SRC := $(filter-out cmd/common-main.c,$(wildcard cmd/sp-*.c))
TOOLS := $(CMD_SRC:cmd/%.c=$(BUILD)/bin/%)
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz-*.c)
MAN1 := $(wildcard man/*.1)
MAN7 := $(wildcard man/*.7)

all: $(TOOLS)

$(BUILD)/%.o: %.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.cc $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(LIBSP): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(BUILD)/cmd/common-main.o $(LIBSP)
	@mkdir -p $(@D)
	$(LINK) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBSP)
	@mkdir -p $(@D)
	$(LINK) -o $@ $^ $(PKG_LIBS)

unit: $(UNIT_BIN)

deps:
	@scripts/install-deps

# The whole suite: plain build, then ASan+UBSan, then valgrind on the CLI
# tests, then each fuzzer briefly on its corpus.  tests/check prints the total.
check: deps
	@$(MAKE) --no-print-directory all unit
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=1 all unit
	@$(MAKE) --no-print-directory fuzz-build
	@tests/check

check-quick: all unit
	@SP_CHECK_PASSES=plain tests/check

demo: deps all
	@scripts/demo

bench: all
	@scripts/bench/run

FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_LIB_SRC := $(LIB_C) $(LIB_CXX)
build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRC) $(wildcard lib/*.h)
	@mkdir -p build/fuzz/obj
	@for f in $(LIB_CXX); do clang++ -std=c++17 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all -Ilib $(PKG_CFLAGS) -c -o build/fuzz/obj/$$(basename $$f .cc).o $$f || exit 1; done
	clang -std=c11 -D_GNU_SOURCE -pthread -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Ilib $(PKG_CFLAGS) -o $@ $< $(LIB_C) build/fuzz/obj/*.o $(PKG_LIBS) -lstdc++

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p build/fuzz/corpus/$$n; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=build/fuzz/ \
	    build/fuzz/corpus/$$n tests/fuzz/corpus/$$n || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/

clean:
	rm -rf build

.PHONY: all unit deps check check-quick demo bench fuzz fuzz-build install clean
.SECONDARY:
