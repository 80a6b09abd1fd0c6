# slugguard: plain GNU make. See docs/house-style notes in README.
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
PKG_CONFIG ?= pkg-config

PKGS   := libgit2 libcurl libcjson libarchive libcrypto libhs libpcre2-8 zlib \
	  libdeflate
STD    := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN   := -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wold-style-definition -Wpointer-arith \
          -Wwrite-strings -Wvla -Wcast-qual -Wundef \
          -Wdeclaration-after-statement -Wimplicit-fallthrough -fno-common
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all \
          -fno-omit-frame-pointer -O1 -g

ifeq ($(BUILD),build-asan)
OPT := $(SAN)
LDSAN := -fsanitize=address,undefined
else ifeq ($(BUILD),build-cov)
# make coverage: gcc's --coverage, unoptimised so lines map 1:1.
OPT := -O0 -g --coverage
LDSAN := --coverage
else ifeq ($(BUILD),build-fuzz)
# libFuzzer targets (tests/fuzz/): clang, the library instrumented for
# coverage, ASan and UBSan; only the targets link libFuzzer's main.
CC := clang
OPT := -fsanitize=fuzzer-no-link $(SAN)
LDSAN := -fsanitize=address,undefined
else
OPT := -O2 -g $(HARDEN)
LDSAN :=
endif
ifeq ($(V),1)
Q :=
QCC :=
else
Q := @
QCC = @echo "   CC $<";
endif
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif

# Targets that need the Debian packages run scripts/deps.sh first and then
# a sub-make (SLUGGUARD_DEPS=done): pkg-config must be read after the
# install, and a make reads its variables before any recipe runs, so the
# flags below are computed only in that sub-make. make SLUGGUARD_DEPS=done
# skips the install on machines that are not Debian.
DEPS_GOALS := all unit test e2e check asan coverage bench demo install fuzz \
	fuzz-merge
ifneq ($(SLUGGUARD_DEPS),done)

.PHONY: $(DEPS_GOALS)
all:

$(DEPS_GOALS): deps
	@$(MAKE) --no-print-directory SLUGGUARD_DEPS=done $@

# Any other goal (a file such as build/slugguard) goes to the sub-make too.
Makefile: ;
%: deps
	@$(MAKE) --no-print-directory SLUGGUARD_DEPS=done $@

else

NODEPS_GOALS := deps lint uninstall clean
ifneq ($(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell $(PKG_CONFIG) --exists $(PKGS) 2>/dev/null && echo ok),ok)
$(error missing development packages for $(PKGS): run 'make deps', or make without SLUGGUARD_DEPS=done, which runs it)
endif
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libcurl, libarchive, Hyperscan and libcrypto are dlopen()ed on first
# use by src/heroku, src/slug, src/rules and src/sign (see curl-dl.h,
# archive-dl.h, hs-dl.h, crypto-dl.h): their headers are needed, their
# link is not.
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(filter-out libcurl libarchive libhs libcrypto,$(PKGS)) 2>/dev/null)
# libgit2 and the libraries it pulls in are linked statically when their
# Debian archives are installed (deps.sh installs them): loading a dozen
# more shared objects cost ~4 ms of every start-up, an eighth of the
# 30 ms a pre-push scan may take. GSSAPI (Kerberos), which libgit2 calls
# only for HTTP Negotiate, is loaded on first call by src/gitwalk/gss-dl.c
# (its seven shared objects were another ~3 ms of every start); that file
# is linked after libgit2.a, outside libslugguard.a, and only here.
# libssh2, which libgit2 calls for ssh:// remotes only, is loaded the same
# way by src/gitwalk/ssh2-dl.c: linked, it brought OpenSSL's libcrypto and
# its 340 KB of relocated tables into every start (~1.5 ms).
STATIC_LIBS := git2 mbedtls mbedx509 mbedcrypto http_parser pcre2-8 z \
	deflate
STATIC_OK := $(shell for l in $(STATIC_LIBS); do \
	f=$$($(CC) -print-file-name=lib$$l.a); [ -f "$$f" ] || exit 0; done; \
	[ -f /usr/include/gssapi/gssapi.h ] && [ -f /usr/include/libssh2.h ] && \
	echo yes)
GSS_SRC := src/gitwalk/gss-dl.c src/gitwalk/ssh2-dl.c
GSS_OBJ :=
GSS_CFLAGS :=
ifeq ($(STATIC_OK),yes)
GSS_OBJ := $(BUILD)/obj/gitwalk/gss-dl.o $(BUILD)/obj/gitwalk/ssh2-dl.o
GSS_CFLAGS := -DSLUGGUARD_GSS_SHIM
PKG_LIBS := -Wl,-Bstatic $(addprefix -l,$(STATIC_LIBS)) -Wl,-Bdynamic \
	$(GSS_OBJ) -lrt $(shell $(PKG_CONFIG) --libs libcjson 2>/dev/null)
endif
CFLAGS  ?=
LDFLAGS ?=
ALL_CFLAGS := $(STD) $(WARN) $(OPT) -Iinclude -Isrc $(PKG_CFLAGS) $(GSS_CFLAGS) \
	-MMD -MP $(CFLAGS)
LIBS := $(PKG_LIBS) -lpthread -lm -ldl

# Modules in layering order; every .c of a module folder is part of it.
MODULES := util json zstream rules mask odb gitwalk heroku slug sign sandbox \
           config ledger scan policy buildpack deploy hooks cli
LIB_SRC := $(filter-out $(GSS_SRC),\
	$(foreach m,$(MODULES),$(sort $(wildcard src/$(m)/*.c))))
LIB_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC))
MAIN_OBJ := $(BUILD)/obj/main.o
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build-fuzz/fuzz/%,$(FUZZ_SRC))
FUZZ_TIME ?= 60

.PHONY: all test unit e2e check asan coverage install bench demo fuzz \
	fuzz-build \
	fuzz-bins fuzz-merge

all: $(BUILD)/slugguard

# Relative relocations packed (DT_RELR, glibc 2.36+): the static libgit2
# makes ~19,600 of them, applied at every start; packed, start-up takes
# ~1.4 ms less CPU and the binary stays position-independent (-no-pie
# would save ~3 ms but give up ASLR for a tool that reads pushed data).
RELR := $(shell printf 'int main(void){return 0;}' | $(CC) -x c - \
	-Wl,-z,pack-relative-relocs -o /dev/null 2>/dev/null && \
	echo -Wl,-z,pack-relative-relocs)

$(BUILD)/slugguard: $(MAIN_OBJ) $(BUILD)/libslugguard.a $(GSS_OBJ)
	$(Q)$(CC) $(LDSAN) $(RELR) $(LDFLAGS) -o $@ $(MAIN_OBJ) \
		$(BUILD)/libslugguard.a $(LIBS)

$(BUILD)/libslugguard.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libslugguard.a $(GSS_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDSAN) $(LDFLAGS) -o $@ $< $(BUILD)/libslugguard.a \
		$(LIBS) -lcmocka

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/libslugguard.a \
		$(GSS_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< \
		$(BUILD)/libslugguard.a $(LIBS)

unit: all $(UNIT_BIN)

test: all $(UNIT_BIN)
	@BUILD=$(BUILD) sh tests/run.sh

e2e: all
	@BUILD=$(BUILD) UNIT=0 sh tests/run.sh

check: deps
	@$(MAKE) --no-print-directory DEVELOPER=1 all
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory DEVELOPER=1 test

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan all $(patsubst $(BUILD)/%,build-asan/%,$(UNIT_BIN))
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 BUILD=build-asan sh tests/run.sh

# Line coverage of the unit and e2e suites, per module and in total
# (gcov, in build-cov/). The tests' result is the exit code; the figures
# are printed either way.
coverage:
	@$(MAKE) --no-print-directory BUILD=build-cov all $(patsubst $(BUILD)/%,build-cov/%,$(UNIT_BIN))
	@find build-cov -name '*.gcda' -delete
	@BUILD=build-cov sh tests/run.sh; rc=$$?; \
	 sh scripts/coverage.sh build-cov && exit $$rc

# F='odb*' picks targets; FUZZ_TIME is seconds per target. A run works on
# a copy of tests/fuzz/corpus/<name>/; only fuzz-merge writes there.
fuzz-build:
	@sh scripts/deps.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory BUILD=build-fuzz fuzz-bins

fuzz-bins: $(FUZZ_BIN)

fuzz: fuzz-build
	@FUZZ_TIME=$(FUZZ_TIME) sh scripts/fuzz.sh run

fuzz-merge: fuzz-build
	@FUZZ_TIME=$(FUZZ_TIME) sh scripts/fuzz.sh merge

bench: all
	@sh bench/run.sh

demo: all
	@sh scripts/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/slugguard/hooks \
		$(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0755 $(BUILD)/slugguard $(DESTDIR)$(PREFIX)/bin/slugguard
	for f in hooks/*.in; do install -m 0644 $$f $(DESTDIR)$(PREFIX)/share/slugguard/hooks/; done
	for f in docs/man/*.1; do [ -f "$$f" ] && install -m 0644 $$f $(DESTDIR)$(PREFIX)/share/man/man1/ || true; done
	install -m 0644 completion/slugguard.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/slugguard
	install -m 0644 completion/_slugguard \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_slugguard

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)

endif

# Goals that need no package, in both passes.
.PHONY: deps lint uninstall clean

deps:
	@sh scripts/deps.sh $(if $(filter check lint,$(MAKECMDGOALS)),clang-format shellcheck)

lint:
	@sh scripts/lint.sh

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/slugguard
	rm -rf $(DESTDIR)$(PREFIX)/share/slugguard
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/slugguard*.1
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/slugguard
	rm -f $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_slugguard

clean:
	rm -rf build build-asan build-fuzz
