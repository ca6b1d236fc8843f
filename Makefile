# portscope — plain Makefile.  `make`, `make check`, `make check SANITIZE=1`,
# `make bench`, `make fuzz FUZZ_SECONDS=N`, `make install PREFIX=… DESTDIR=…`.

VERSION  := 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man

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

# BPF (owner lookup by iterator; event sources later) is built when clang,
# bpftool, libbpf and the kernel's BTF are all there; BPF=0 turns it off.
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || ls /usr/sbin/bpftool 2>/dev/null)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ifeq ($(BPF),)
BPF := $(shell command -v $(CLANG) >/dev/null 2>&1 && [ -n "$(BPFTOOL)" ] && \
	pkg-config --exists libbpf 2>/dev/null && [ -r $(VMLINUX_BTF) ] && echo 1 || echo 0)
endif
ifeq ($(BPF),1)
PKGS     += libbpf
BPF_CPPFLAGS := -DHAVE_BPF -I$(BUILD)/bpf
endif
# record's database (src/store/) needs SQLite; without it `record` says so.
SQLITE   ?= $(shell pkg-config --exists sqlite3 2>/dev/null && echo 1 || echo 0)
ifeq ($(SQLITE),1)
PKGS     += sqlite3
CPPFLAGS += -DHAVE_SQLITE
NO_SQLITE :=
else
NO_SQLITE := src/store/% tests/unit/test_store.c
endif
# The interactive `top` view needs ncurses (wide); without it `top` offers
# --once and --batch only and says so.
NCURSES  ?= $(shell pkg-config --exists ncursesw 2>/dev/null && echo 1 || echo 0)
ifeq ($(NCURSES),1)
PKGS     += ncursesw
CPPFLAGS += -DHAVE_NCURSES
endif
CPPFLAGS += -Isrc $(BPF_CPPFLAGS) -D_GNU_SOURCE -DPORTSCOPE_VERSION='"$(VERSION)"' -MMD -MP \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS   ?= -g
CFLAGS   += -std=gnu11 $(OPT) $(WARN) $(SANFLAGS) -pthread
LDFLAGS  += $(SANFLAGS) -pthread
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lmnl) -lm

ifeq ($(V),1)
Q :=
else
Q := @
endif

SRCS     := $(sort $(filter-out src/bpf/% $(NO_SQLITE),$(wildcard src/*.c src/*/*.c)))
LIBSRCS  := $(filter-out src/main.c,$(SRCS))
OBJS     := $(SRCS:%.c=$(BUILD)/%.o)
LIBOBJS  := $(LIBSRCS:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libportscope.a
BIN      := $(BUILD)/portscope

UNITSRCS := $(sort $(filter-out $(NO_SQLITE),$(wildcard tests/unit/test_*.c)))
UNITBINS := $(UNITSRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
FUZZSRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
REPLAYS  := $(FUZZSRCS:tests/fuzz/%.c=$(BUILD)/tests/replay/%)
FUZZERS  := $(FUZZSRCS:tests/fuzz/%.c=build/fuzz/%)
TOOLSRCS := $(sort $(wildcard tests/tools/*.c))
TOOLBINS := $(TOOLSRCS:tests/tools/%.c=$(BUILD)/tests/tools/%)

.PHONY: all check unit cli bench fuzz install clean
# Keep intermediate objects (fuzz builds, BPF objects) instead of deleting them.
.SECONDARY:
all: $(BIN)

$(BIN): $(BUILD)/src/main.o $(LIB)
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

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
$(BUILD)/bpf/%.bpf.o: src/bpf/%.bpf.c $(BUILD)/bpf/vmlinux.h $(wildcard src/bpf/*.h)
	@echo "  BPF     $<"
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD)/bpf -Isrc/bpf -c -o $@ $<
$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $* >$@.tmp && mv $@.tmp $@
$(BUILD)/src/host/owner_bpf.o build/fuzz/obj/src/host/owner_bpf.o: $(SKELS)
$(BUILD)/src/events/ev_bpf.o build/fuzz/obj/src/events/ev_bpf.o: $(SKELS)
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) -lcmocka $(LDLIBS)

# Test tools (tests/tools/*.c): small programs the end-to-end tests drive.
$(BUILD)/tests/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Corpus replay: each fuzz harness linked with a plain driver that feeds it
# every file of its corpus (runs under gcc, and under ASan+UBSan with SANITIZE=1).
$(BUILD)/tests/replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(LIB)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(LIB) $(LDLIBS)

# libFuzzer builds (clang): every source compiled again with coverage.
FUZZOBJS := $(LIBSRCS:%.c=build/fuzz/obj/%.o)
build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CLANG   $<"
	$(Q)$(CLANG) $(filter-out -MMD -MP,$(CPPFLAGS)) -std=gnu11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c $(FUZZOBJS)
	@echo "  FUZZER  $@"
	$(Q)$(CLANG) $(filter-out -MMD -MP,$(CPPFLAGS)) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZOBJS) $(LDLIBS) -pthread

FUZZ_SECONDS ?= 60
fuzz: $(FUZZERS)
	$(Q)for f in $(FUZZERS); do n=$${f##*/}; \
		mkdir -p build/fuzz/corpus/$$n; \
		echo "== $$n ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		    build/fuzz/corpus/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

check: $(BIN) $(UNITBINS) $(REPLAYS) $(TOOLBINS)
	$(Q)tests/run.sh $(BUILD)

bench: $(BIN)
	$(Q)for b in bench/*; do [ -f "$$b" ] && [ -x "$$b" ] || continue; "$$b" || exit 1; done

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/portscope
	install -m 0644 doc/portscope.1 $(DESTDIR)$(MANDIR)/man1/portscope.1

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
