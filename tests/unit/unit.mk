# tests/unit/unit.mk - host unit tests (cmocka) of the architecture-independent
# core, run from the repository root:
#
#   make -f tests/unit/unit.mk BUILD=build      (what `make unit` does)
#
# Every tests/unit/test_<name>.c becomes $(BUILD)/unit/test_<name>, linked
# with tests/unit/fake_arch.c (the arch_* contracts for the host) and the
# kernel/ and devemu/ sources built for the host with glibc (not the
# kernel's own libc), taken from an archive so each test pulls in only the
# modules it uses. All tests run even when one fails; the last line is
# "unit: N passed, M failed" and the exit status is non-zero if M > 0.
#
#   make -f tests/unit/unit.mk BUILD=build UNIT_TESTS=test_buddy   one file
#   UNIT_ECHO_CONSOLE=1 ...                    also show the kernel's console
#   UNIT_DTS_DIR=dir ...                       real configurations for the devtree tests (dts)

BUILD      ?= build
UNIT_CC    ?= gcc
OUT        := $(BUILD)/unit

UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
               -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -fno-common -I. \
               -include tests/unit/host_compat.h -MMD -MP
UNIT_LDFLAGS := -fsanitize=address,undefined
# libfdt (libfdt-dev) for kernel/devtree_fdt.c, when a test pulls it in
UNIT_LIBS  := -lcmocka $(if $(wildcard /usr/lib/*/libfdt.so /usr/lib/libfdt.so),-lfdt)

# plus the arch files that are pure computation (no privileged instructions)
KERNEL_SRC := $(wildcard kernel/*.c devemu/*.c) arch/x86_64/vmx/vmx_decode.c \
              arch/x86_64/vmx/ept_check.c arch/x86_64/vmx/cpustate_check.c \
              arch/x86_64/vmx/cpuid_view.c arch/x86_64/vmx/vmx_firmware.c \
              arch/x86_64/acpi_parse.c
KERNEL_OBJ := $(KERNEL_SRC:%.c=$(OUT)/obj/%.o)
KERNEL_LIB := $(OUT)/libkernel-host.a
FAKE_OBJ   := $(OUT)/obj/tests/unit/fake_arch.o

UNIT_TESTS ?= $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_TESTS:%=$(OUT)/%)

.PHONY: run build
# Build what builds (-k), drop any binary left out of date by a compile error
# (so a stale one never runs), then run them all; run.sh counts a test that
# did not build as one failure.
run:
	@$(MAKE) --no-print-directory -f tests/unit/unit.mk -k build; \
	for t in $(UNIT_BINS); do \
		$(MAKE) --no-print-directory -f tests/unit/unit.mk -q $$t 2>/dev/null || rm -f $$t; \
	done; \
	tests/unit/run.sh $(OUT) $(UNIT_BINS)

build: $(UNIT_BINS)

$(OUT)/obj/%.o: %.c tests/unit/unit.mk tests/unit/host_compat.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(UNIT_CC) $(UNIT_CFLAGS) -c $< -o $@

$(KERNEL_LIB): $(KERNEL_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(OUT)/test_%: $(OUT)/obj/tests/unit/test_%.o $(FAKE_OBJ) $(KERNEL_LIB)
	@echo "  HOSTLD  $@"
	@$(UNIT_CC) $(UNIT_LDFLAGS) -o $@ $^ $(UNIT_LIBS)

# keep the objects of the pattern rules
.SECONDARY:

-include $(KERNEL_OBJ:.o=.d) $(FAKE_OBJ:.o=.d) \
	 $(UNIT_TESTS:%=$(OUT)/obj/tests/unit/%.d)
