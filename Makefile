# crio: a Kubernetes CRI runtime in C.
#
#   make                  build crio, crioctl (and everything under build/)
#   make check            build and run the whole test suite (unit, fuzz corpora, integration)
#   make check-asan       the same tests with ASAN+UBSAN and leak checking, in build-asan/
#   make fuzz             build the libFuzzer targets (clang) into build-fuzz/
#   make install DESTDIR=... PREFIX=...
#
# Objects go to $(BUILDDIR); generated protobuf-c code to $(BUILDDIR)/gen (never committed).

VERSION     := 0.1.0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBEXECDIR  ?= $(PREFIX)/libexec
SYSCONFDIR  ?= /etc
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
DESTDIR     ?=
BUILDDIR    ?= build

CC          ?= cc
# make V=1 shows the full commands
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif
GIT_COMMIT  := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
GRPC_RELEASE := $(shell dpkg-query -W -f='$${Version}' libgrpc-dev 2>/dev/null | cut -d- -f1)
SYSTEMD_VERSION := $(shell pkg-config --modversion libsystemd 2>/dev/null)
PKGS        := grpc_unsecure libprotobuf-c glib-2.0 json-glib-1.0 libselinux libsystemd libarchive zlib libzstd libcurl gpgme yaml-0.1 libcrypto
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS    := $(shell pkg-config --libs $(PKGS)) -lpthread

WARNINGS    := -Wall -Wextra -Werror -Wno-missing-field-initializers -Wshadow -Wformat=2 -Wno-format-nonliteral
OPT         ?= -O2 -g
SAN_FLAGS   ?=
CFLAGS_ALL  := -std=c11 -D_GNU_SOURCE $(OPT) $(WARNINGS) $(SAN_FLAGS) -fno-strict-aliasing \
               -DCRIO_VERSION='"$(VERSION)"' -DCRIO_GIT_COMMIT='"$(GIT_COMMIT)"' \
               -DCRIO_GRPC_RELEASE='"$(GRPC_RELEASE)"' -DCRIO_LIBSYSTEMD_VERSION='"$(SYSTEMD_VERSION)"' \
               -DCRIO_SYSCONFDIR='"$(SYSCONFDIR)"' -DCRIO_LIBEXECDIR='"$(LIBEXECDIR)"' \
               -Isrc -I$(BUILDDIR)/gen $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := -Wl,--as-needed $(SAN_FLAGS) $(LDFLAGS)

PROTO       := src/cri/api.proto
GEN_C       := $(BUILDDIR)/gen/api.pb-c.c
GEN_H       := $(BUILDDIR)/gen/api.pb-c.h

# The core library: layers 1-5 (see docs/ and ../ARCHITECTURE in the README tour).
LIB_SRCS    := $(sort $(wildcard src/util/*.c src/config/*.c src/image/*.c src/storage/*.c src/oci/*.c src/network/*.c src/runtime/*.c src/cri/*.c src/cri/*/*.c))
LIB_OBJS    := $(patsubst %.c,$(BUILDDIR)/%.o,$(LIB_SRCS)) $(BUILDDIR)/gen/api.pb-c.o
CRIO_OBJS   := $(patsubst %.c,$(BUILDDIR)/%.o,$(sort $(wildcard src/crio/*.c)))
CTL_OBJS    := $(patsubst %.c,$(BUILDDIR)/%.o,$(sort $(wildcard src/crioctl/*.c)))

UNIT_SRCS   := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILDDIR)/tests/%,$(UNIT_SRCS))
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_NAMES  := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
FUZZ_REPLAY := $(patsubst tests/fuzz/%.c,$(BUILDDIR)/tests/%-replay,$(FUZZ_SRCS))
# A fuzz target of code outside the library (a helper program's parser) names its objects in
# FUZZ_OBJS_<target> (none does now: the sysctl parser moved to src/util/).

# Helper programs installed to $(LIBEXECDIR)/crio: one directory each under src/libexec/.
LIBEXEC_NAMES := $(notdir $(wildcard src/libexec/*))
LIBEXEC_BINS  := $(addprefix $(BUILDDIR)/,$(LIBEXEC_NAMES))

# conmon links only src/util/ (through its own archive, so that it pulls in just what it uses).
UTIL_OBJS   := $(patsubst %.c,$(BUILDDIR)/%.o,$(sort $(wildcard src/util/*.c)))
CONMON_SRCS := $(sort $(wildcard conmon/*.c))
CONMON_BIN  := $(if $(CONMON_SRCS),$(BUILDDIR)/conmon)

PROGRAMS    := $(BUILDDIR)/crio $(BUILDDIR)/crioctl $(LIBEXEC_BINS) $(CONMON_BIN) $(BUILDDIR)/pause

.PHONY: all check check-asan unit fuzz install clean
.SECONDARY:
all: $(PROGRAMS)

$(GEN_C) $(GEN_H): $(PROTO)
	@mkdir -p $(BUILDDIR)/gen
	$(call say,PROTOC,$<)
	$(Q)protoc-c --proto_path=src/cri --c_out=$(BUILDDIR)/gen $(PROTO)

# Generated code is compiled without our warning set (it is not ours to fix).
$(BUILDDIR)/gen/api.pb-c.o: $(GEN_C)
	$(call say,CC,$<)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(OPT) $(SAN_FLAGS) $(PKG_CFLAGS) -I$(BUILDDIR)/gen -c $< -o $@

$(BUILDDIR)/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# The default seccomp profile is compiled in (.incbin, which -MMD does not see).
$(BUILDDIR)/src/oci/seccomp.o: contrib/seccomp.json

$(BUILDDIR)/libcrio.a: $(LIB_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(BUILDDIR)/crio: $(CRIO_OBJS) $(BUILDDIR)/libcrio.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BUILDDIR)/crioctl: $(CTL_OBJS) $(BUILDDIR)/libcrio.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BUILDDIR)/libcrio-util.a: $(UTIL_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

# conmon's objects cannot live in $(BUILDDIR)/conmon/: that is the program's own path.
CONMON_OBJS := $(patsubst conmon/%.c,$(BUILDDIR)/conmon-obj/%.o,$(CONMON_SRCS))
$(BUILDDIR)/conmon-obj/%.o: conmon/%.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILDDIR)/conmon: $(CONMON_OBJS) $(BUILDDIR)/libcrio-util.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ -lpthread

# pause: the pod's infra process, static and tiny, linked with nothing of ours (and never
# sanitized: -static and ASAN do not mix).
$(BUILDDIR)/pause: src/pause/pause.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -static -Os -s $(WARNINGS) -DCRIO_VERSION='"$(VERSION)"' -o $@ $<

define libexec_rule
$(BUILDDIR)/$(1): $(patsubst %.c,$(BUILDDIR)/%.o,$(wildcard src/libexec/$(1)/*.c)) $(BUILDDIR)/libcrio.a
	$$(call say,LD,$$@)
	$$(Q)$$(CC) $$(LDFLAGS_ALL) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach n,$(LIBEXEC_NAMES),$(eval $(call libexec_rule,$(n))))

$(BUILDDIR)/tests/%: $(BUILDDIR)/tests/unit/%.o $(BUILDDIR)/libcrio.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

# Fuzz targets built with a replay driver: make check runs every corpus file through them.
$(BUILDDIR)/tests/%-replay: $(BUILDDIR)/tests/fuzz/%.o $(BUILDDIR)/tests/fuzz/replay.o $(BUILDDIR)/libcrio.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(PKG_LIBS)
$(foreach f,$(FUZZ_NAMES),$(eval $(BUILDDIR)/tests/$(f)-replay: $(addprefix $(BUILDDIR)/,$(FUZZ_OBJS_$(f)))))

$(BUILDDIR)/tests/fuzz/replay.o: tests/fuzz/replay.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

# Test helpers: small programs the test scripts drive.
TOOL_SRCS   := $(sort $(wildcard tests/toml/*.c tests/tools/*.c))
TOOL_BINS   := $(patsubst %.c,$(BUILDDIR)/tests/%,$(notdir $(TOOL_SRCS)))
$(BUILDDIR)/tests/%: $(BUILDDIR)/tests/tools/%.o $(BUILDDIR)/libcrio.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)
$(BUILDDIR)/tests/%: $(BUILDDIR)/tests/toml/%.o $(BUILDDIR)/libcrio.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

unit: $(UNIT_BINS) $(FUZZ_REPLAY) $(TOOL_BINS) $(LIBEXEC_BINS)

check: all unit
	BUILDDIR=$(BUILDDIR) tests/run

check-asan:
	$(MAKE) BUILDDIR=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" check

# libFuzzer builds (clang): build-fuzz/fuzz-NAME; run e.g. build-fuzz/fuzz-toml tests/fuzz/corpus/toml
fuzz:
	$(MAKE) BUILDDIR=build-fuzz CC=clang OPT="-O1 -g" SAN_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" \
		build-fuzz/libcrio.a $(patsubst tests/fuzz/%.c,build-fuzz/tests/fuzz/%.o,$(FUZZ_SRCS)) \
		$(addprefix build-fuzz/,$(foreach f,$(FUZZ_NAMES),$(FUZZ_OBJS_$(f))))
	$(foreach f,$(FUZZ_NAMES),$(call fuzz_link,$(f)))

define fuzz_link
	@echo "clang -fsanitize=fuzzer,address,undefined -o build-fuzz/$(1)"
	$(Q)clang -fsanitize=fuzzer,address,undefined -o build-fuzz/$(1) build-fuzz/tests/fuzz/$(1).o \
		$(addprefix build-fuzz/,$(FUZZ_OBJS_$(1))) build-fuzz/libcrio.a $(PKG_LIBS)

endef

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/crio $(DESTDIR)$(SYSCONFDIR)/crio/crio.conf.d
	install -m 0755 $(BUILDDIR)/crio $(BUILDDIR)/crioctl $(DESTDIR)$(BINDIR)/
	@if [ -x $(BUILDDIR)/conmon ]; then install -m 0755 $(BUILDDIR)/conmon $(DESTDIR)$(LIBEXECDIR)/crio/; fi
	$(if $(LIBEXEC_BINS),install -m 0755 $(LIBEXEC_BINS) $(DESTDIR)$(LIBEXECDIR)/crio/)
	install -m 0755 $(BUILDDIR)/pause $(DESTDIR)$(LIBEXECDIR)/crio/pause
	@if [ ! -e $(DESTDIR)$(SYSCONFDIR)/crio/crio.conf ]; then \
		install -m 0644 contrib/crio.conf $(DESTDIR)$(SYSCONFDIR)/crio/crio.conf; fi
	@if [ ! -e $(DESTDIR)$(SYSCONFDIR)/containers/policy.json ]; then \
		install -d $(DESTDIR)$(SYSCONFDIR)/containers; \
		install -m 0644 contrib/containers/policy.json $(DESTDIR)$(SYSCONFDIR)/containers/policy.json; fi
	@if [ ! -e $(DESTDIR)$(SYSCONFDIR)/crio/seccomp.json ]; then \
		install -m 0644 contrib/seccomp.json $(DESTDIR)$(SYSCONFDIR)/crio/seccomp.json; fi
	install -d $(DESTDIR)$(SYSCONFDIR)/cni/net.d
	@for f in contrib/cni/*; do \
		if [ ! -e $(DESTDIR)$(SYSCONFDIR)/cni/net.d/$$(basename $$f) ]; then \
			install -m 0644 $$f $(DESTDIR)$(SYSCONFDIR)/cni/net.d/; fi; done
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/systemd/crio.service.in >$(DESTDIR)$(UNITDIR)/crio.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/crio.service
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 docs/crio.8.md $(DESTDIR)$(MANDIR)/man8/crio.8.md
	install -m 0644 docs/crio.conf.5.md $(DESTDIR)$(MANDIR)/man5/crio.conf.5.md

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILDDIR) -name '*.d' 2>/dev/null)
