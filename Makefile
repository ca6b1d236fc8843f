# portscope — plain Makefile.  `make`, `make check`, `make check SANITIZE=1`,
# `make bench`, `make fuzz FUZZ_SECONDS=N`, `make install PREFIX=… DESTDIR=…`.

VERSION  := 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions

CC       ?= cc
CLANG    ?= clang
WERROR   ?= 1
SANITIZE ?=

ifeq ($(SANITIZE),1)
BUILD    := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT      := -O1
else
BUILD    := build
SANFLAGS :=
OPT      := -O2
endif

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wvla -Wformat=2 -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARN     += -Werror
endif

PKGS     := libmnl

# Optional parts, one line each: $(call optional,NAME,name,NEEDS) where NEEDS
# lists what the part needs: pkg:MODULE (pkg-config; its flags are added),
# cmd:PROGRAM, file:PATH.  A part is built when all it needs is found, and
# then compiles with -DHAVE_NAME; NAME=0 leaves it out, NAME=1 insists.
# `make` says in one line which parts were left out and why, and
# `portscope --version` lists each part as "name: yes" or "name: no".
# BPF: owner lookup by iterator, the event engine (events, watch, record).
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || ls /usr/sbin/bpftool 2>/dev/null)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
comma    := ,
# have NEED: "y" when NEED (pkg:M, cmd:P or file:F) is here.
have     = $(strip $(if $(filter pkg:%,$1),$(shell pkg-config --exists $(1:pkg:%=%) 2>/dev/null && echo y),\
	   $(if $(filter cmd:%,$1),$(shell command -v $(1:cmd:%=%) >/dev/null 2>&1 && echo y),\
	   $(if $(wildcard $(1:file:%=%)),y))))
define optional
ifeq ($$($1),)
$1_MISSING := $$(firstword $$(foreach n,$3,$$(if $$(call have,$$n),,$$n)))
$1 := $$(if $$($1_MISSING),0,1)
$1_WHY := $$(lastword $$(subst :, ,$$($1_MISSING))) not found
else
$1_WHY := $1=$$($1)
endif
ifeq ($$($1),1)
PKGS  += $$(patsubst pkg:%,%,$$(filter pkg:%,$3))
PART_CPPFLAGS += -DHAVE_$1
PARTS := $$(PARTS)$2: yes\n
else
PARTS := $$(PARTS)$2: no\n
LEFT_OUT := $$(LEFT_OUT)$$(if $$(LEFT_OUT),$$(comma) without ,without )$1 ($$($1_WHY))
endif
endef
$(eval $(call optional,BPF,bpf,pkg:libbpf cmd:$(CLANG) cmd:$(or $(BPFTOOL),bpftool) file:$(VMLINUX_BTF)))
# SQLite: record's database (src/store/); without it `record` says so.
$(eval $(call optional,SQLITE,sqlite,pkg:sqlite3))
# ncurses (wide): the interactive `top` view; without it `top` offers
# --once and --batch only and says so.
$(eval $(call optional,NCURSES,ncurses,pkg:ncursesw))
# libdw (elfutils): profile's unwinder (src/unwind/); without it `profile`
# says so.
$(eval $(call optional,LIBDW,libdw,pkg:libdw))
# c-ares: report --resolve's reverse names (src/report/resolve.c); without
# it `report --resolve` says so.
$(eval $(call optional,CARES,cares,pkg:libcares))

ifneq ($(LEFT_OUT),)
ifneq ($(MAKECMDGOALS),clean)
$(info portscope: building $(LEFT_OUT))
endif
endif
ifeq ($(BPF),1)
PART_CPPFLAGS += -I$(BUILD)/bpf
endif
# Sources (and their tests) that a left-out part takes with it; the tests
# are listed in BUILD/not-built, and tests/run.sh counts them as skipped.
ifneq ($(SQLITE),1)
NOT_BUILT += src/store/% src/report/% tests/unit/test_store.c tests/unit/test_report.c
endif
NOT_BUILT_TESTS = $(filter $(NOT_BUILT),$(wildcard tests/unit/test_*.c tests/fuzz/fuzz_*.c))
CPPFLAGS += -Isrc $(PART_CPPFLAGS) -D_GNU_SOURCE -DPORTSCOPE_VERSION='"$(VERSION)"' \
            -DPORTSCOPE_PARTS='"$(PARTS)"' -MMD -MP \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS   ?= -g
CFLAGS   += -std=gnu11 $(OPT) $(WARN) $(SANFLAGS) -pthread
LDFLAGS  += $(SANFLAGS) -pthread
# err(3) and warn(3) write one safe line: control bytes in what a message
# quotes (a file or host name) as \xNN (src/util/safe_err.c).
LDFLAGS  += $(foreach f,warnx warn vwarnx vwarn errx err verrx verr,-Wl,--wrap=$(f))
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lmnl) -lm

# The configuration is kept in BUILD/config (compiling) and BUILD/config.link
# (linking): each is rewritten only when it changes (compiler, flags, the
# optional parts found), objects depend on the first, programs on both, so
# a changed configuration rebuilds what it affects.
# update_config FILE,VAR: write $(VAR) to FILE unless FILE holds it already.
update_config = $(file >$1.new,$($2))$(shell cmp -s $1.new $1 && rm -f $1.new || mv -f $1.new $1)
STAMP    := $(BUILD)/config
LINKSTAMP := $(BUILD)/config.link
CONFIG   = CC=$(CC) CPPFLAGS=$(CPPFLAGS) CFLAGS=$(CFLAGS) CLANG=$(CLANG) BPFTOOL=$(BPFTOOL)
LINKCONFIG = CC=$(CC) LDFLAGS=$(LDFLAGS) LDLIBS=$(LDLIBS)
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
$(shell mkdir -p $(BUILD))
$(call update_config,$(STAMP),CONFIG)
$(call update_config,$(LINKSTAMP),LINKCONFIG)
$(call update_config,$(BUILD)/not-built,NOT_BUILT_TESTS)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

SRCS     := $(sort $(filter-out src/bpf/% $(NOT_BUILT),$(wildcard src/*.c src/*/*.c)))
LIBSRCS  := $(filter-out src/main.c,$(SRCS))
OBJS     := $(SRCS:%.c=$(BUILD)/%.o)
LIBOBJS  := $(LIBSRCS:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libportscope.a
BIN      := $(BUILD)/portscope

UNITSRCS := $(sort $(filter-out $(NOT_BUILT),$(wildcard tests/unit/test_*.c)))
UNITBINS := $(UNITSRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
FUZZSRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
REPLAYS  := $(FUZZSRCS:tests/fuzz/%.c=$(BUILD)/tests/replay/%)
FUZZERS  := $(FUZZSRCS:tests/fuzz/%.c=build/fuzz/%)
TOOLSRCS := $(sort $(wildcard tests/tools/*.c))
TOOLBINS := $(TOOLSRCS:tests/tools/%.c=$(BUILD)/tests/tools/%)

.PHONY: all check check-build unit cli bench fuzz install clean
# Keep intermediate objects (fuzz builds, BPF objects) instead of deleting them.
.SECONDARY:
all: $(BIN)

$(BIN): $(BUILD)/src/main.o $(LIB) $(LINKSTAMP)
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(BUILD)/src/main.o $(LIB) $(LDLIBS)

$(LIB): $(LIBOBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# Kernel programs: vmlinux.h from the running kernel's BTF, the object with
# clang, the skeleton with bpftool.  All are build outputs.
BPFSRCS  := $(wildcard src/bpf/*.bpf.c)
SKELS    := $(BPFSRCS:src/bpf/%.bpf.c=$(BUILD)/bpf/%.skel.h)
ifeq ($(BPF),1)
$(BUILD)/bpf/vmlinux.h:
	@mkdir -p $(@D)
	@echo "  BTF     $@"
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c >$@.tmp && mv $@.tmp $@
$(BUILD)/bpf/%.bpf.o: src/bpf/%.bpf.c $(BUILD)/bpf/vmlinux.h $(wildcard src/bpf/*.h) $(STAMP)
	@echo "  BPF     $<"
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD)/bpf -Isrc/bpf -c -o $@ $<
$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $* >$@.tmp && mv $@.tmp $@
$(BUILD)/src/host/owner_bpf.o build/fuzz/obj/src/host/owner_bpf.o: $(SKELS)
$(BUILD)/src/events/ev_bpf.o build/fuzz/obj/src/events/ev_bpf.o: $(SKELS)
$(BUILD)/src/unwind/stacksrc.o build/fuzz/obj/src/unwind/stacksrc.o: $(SKELS)
endif

$(BUILD)/%.o: %.c $(STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB) $(STAMP) $(LINKSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) -lcmocka $(LDLIBS)

# Test tools (tests/tools/*.c): small programs the end-to-end tests drive.
$(BUILD)/tests/tools/%: tests/tools/%.c $(LIB) $(STAMP) $(LINKSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Corpus replay: each fuzz harness linked with a plain driver that feeds it
# every file of its corpus (runs under gcc, and under ASan+UBSan with SANITIZE=1).
$(BUILD)/tests/replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(LIB) $(STAMP) $(LINKSTAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(LIB) $(LDLIBS)

# libFuzzer builds (clang): every source compiled again with coverage, with
# a configuration of their own (build/fuzz/config).
FUZZOBJS := $(LIBSRCS:%.c=build/fuzz/obj/%.o)
FUZZSTAMP := build/fuzz/config
FUZZFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined
FUZZCONFIG := CLANG=$(CLANG) CPPFLAGS=$(CPPFLAGS) FUZZFLAGS=$(FUZZFLAGS) LDLIBS=$(LDLIBS)
ifneq ($(filter fuzz build/fuzz/%,$(MAKECMDGOALS)),)
$(shell mkdir -p build/fuzz)
$(call update_config,$(FUZZSTAMP),FUZZCONFIG)
endif
build/fuzz/obj/%.o: %.c $(FUZZSTAMP)
	@mkdir -p $(@D)
	@echo "  CLANG   $<"
	$(Q)$(CLANG) $(CPPFLAGS) $(FUZZFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c $(FUZZOBJS) $(FUZZSTAMP)
	@echo "  FUZZER  $@"
	$(Q)$(CLANG) $(filter-out -MMD -MP,$(CPPFLAGS)) $(FUZZFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZOBJS) $(LDLIBS) -pthread

# Each harness runs for FUZZ_SECONDS from its checked-in corpus (new inputs
# go to build/fuzz/corpus/NAME, a crashing input to build/fuzz/crash-NAME-*);
# every harness runs, then a crash in any fails the target.
FUZZ_SECONDS ?= 60
fuzz: $(FUZZERS)
	$(Q)bad=; for f in $(FUZZERS); do n=$${f##*/}; \
		mkdir -p build/fuzz/corpus/$$n; \
		echo "== $$n ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		    -artifact_prefix=build/fuzz/crash-$$n- \
		    build/fuzz/corpus/$$n tests/fuzz/corpus/$$n >build/fuzz/$$n.log 2>&1 \
		    || { bad="$$bad $$n"; tail -n 40 build/fuzz/$$n.log; }; \
		grep -E '^stat::number_of_executed_units|^Done' build/fuzz/$$n.log | tr '\n' ' '; echo; \
	done; \
	if [ -n "$$bad" ]; then echo "fuzz: crashed:$$bad (logs in build/fuzz/)"; exit 1; fi; \
	echo "fuzz: $(words $(FUZZERS)) harnesses, $(FUZZ_SECONDS) s each, no crash"

check: check-build
	$(Q)tests/run.sh $(BUILD)

# Everything the tests run, built, without running them: then
# `tests/run.sh build PATTERN` runs some of them.
check-build: $(BIN) $(UNITBINS) $(REPLAYS) $(TOOLBINS)

bench: $(BIN)
	$(Q)for b in bench/*; do [ -f "$$b" ] && [ -x "$$b" ] || continue; "$$b" || exit 1; done

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/portscope
	install -m 0644 doc/portscope.1 $(DESTDIR)$(MANDIR)/man1/portscope.1
	install -m 0644 contrib/completion/portscope.bash $(DESTDIR)$(BASHCOMPDIR)/portscope
	install -m 0644 contrib/completion/_portscope $(DESTDIR)$(ZSHCOMPDIR)/_portscope

# record's systemd unit (dist/), with the path of the installed binary
UNITDIR  ?= $(PREFIX)/lib/systemd/system
install: install-record-service
.PHONY: install-record-service
install-record-service: dist/portscope-record.service.in
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' $< >$(DESTDIR)$(UNITDIR)/portscope-record.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/portscope-record.service

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(FUZZOBJS:.o=.d)
