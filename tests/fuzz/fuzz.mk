# tests/fuzz/fuzz.mk - libFuzzer harnesses, run from the repository root:
#
#   make -f tests/fuzz/fuzz.mk BUILD=build FUZZ_SECONDS=60   (what `make fuzz` does)
#
# $(BUILD)/fuzz/fuzz_devtree is tests/fuzz/fuzz_devtree.c with the kernel's
# device-tree and configuration sources, built by clang with
# -fsanitize=fuzzer,address,undefined (every report is fatal) against the
# host libfdt. Its corpus $(BUILD)/fuzz/corpus/devtree/ is kept between runs
# and seeded from every dts/*.dts, compiled here the way the GNUmakefile does
# (cpp | dtc) into $(BUILD)/fuzz/seeds/devtree/. Each run lasts FUZZ_SECONDS
# with inputs up to 16 KiB; a crash, leak, sanitizer report or timeout fails
# the make and leaves the input in $(BUILD)/fuzz/artifacts/. The last line is
# "fuzz: devtree: N executions in S s (R/s), corpus C inputs".
#
#   FUZZ_ARGS='-jobs=4 -workers=4' ...       extra libFuzzer options
#   LIBFDT_SRC=../dtc/libfdt ...              build libfdt from its sources with the
#                                             sanitizers too (catches its misaligned
#                                             reads of bad blobs) instead of -lfdt
#   make -f tests/fuzz/fuzz.mk BUILD=build build   only build
#
# $(BUILD)/fuzz/fuzz_devemu is tests/fuzz/fuzz_devemu.c with devemu/ and the
# kernel sources it needs (same compiler and sanitizers): programs of port
# accesses, interrupt lines and acknowledges on a guest with the i8259A pair,
# ELCR and 16550A UART, checked after every step. Its corpus
# $(BUILD)/fuzz/corpus/devemu/ is seeded from tests/fuzz/devemu-seeds/*.hex
# (hex text, '#' comments) into $(BUILD)/fuzz/seeds/devemu/. It runs after
# the devtree harness for FUZZ_SECONDS too, with the same rules and a last
# line "fuzz: devemu: ...". Run one alone: make -f tests/fuzz/fuzz.mk run-devemu
#
# $(BUILD)/fuzz/fuzz_mb1 is tests/fuzz/fuzz_mb1.c with kernel/mb1_image.c
# and kernel/mb1_info.c: any bytes as a Multiboot v1 guest kernel, the
# accepted ones checked against what the loader relies on; seeded with the
# C test guests build/guests/*.elf when make all built them. Last line
# "fuzz: mb1: ...". Alone: make -f tests/fuzz/fuzz.mk run-mb1
#
# $(BUILD)/fuzz/fuzz_linux is tests/fuzz/fuzz_linux.c with kernel/linux_image.c:
# any bytes as a Linux bzImage through the setup header checks, the kernel's
# and the initramfs' placement in a fixed guest and the zero page, checked
# against what kernel/linux_guest.c relies on (and placement against brute
# force); inputs under 1 KiB also drive linux_place and the e820 builder.
# Seeded with headers the harness writes (FUZZ_LINUX_SEEDS=dir). Last line
# "fuzz: linux: ...". Alone: make -f tests/fuzz/fuzz.mk run-linux
#
# $(BUILD)/fuzz/fuzz_ioapic is tests/fuzz/fuzz_ioapic.c with
# devemu/ioapic_model.c: programs of MMIO accesses, pin levels, EOIs and
# resets, the model checked after every step against a reference written in
# the harness. Last line "fuzz: ioapic: ...". Alone: make -f tests/fuzz/fuzz.mk run-ioapic
#
# run-guests is the guest-side fuzzer (tests/guests/guestfuzz.asm, driven by
# tests/system/test_guestfuzz.py in Bochs): GUEST_FUZZ_RUNS random seeds,
# each one boot with a fuzzer guest per CPU mode (real, protected, long)
# doing GUEST_FUZZ_TRIES tries of random instruction bytes; a failing seed
# is in the test's name. GUEST_FUZZ_RUNS=0 leaves it out (make test does:
# its system tests run the guest fuzzer with one fixed seed). Replay one:
#   GUEST_FUZZ_SEEDS=0x1234abcd GUEST_FUZZ_TRIES=20000 /usr/bin/python3 -m pytest -v tests/system -k guestfuzz

BUILD        ?= build
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_ARGS    ?=
GUEST_FUZZ_RUNS  ?= 4
GUEST_FUZZ_TRIES ?= 20000
OUT          := $(BUILD)/fuzz

FUZZ_CFLAGS  := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -fno-omit-frame-pointer -I. \
                -include tests/unit/host_compat.h -Wall -Wextra -Wno-unused-parameter
FUZZ_LIBS    := -lfdt
FUZZ_BIN     := $(OUT)/fuzz_devtree

DEVTREE_SRC  := tests/fuzz/fuzz_devtree.c kernel/devtree.c kernel/devtree_fdt.c \
                kernel/problems.c kernel/guest_config.c kernel/printk.c kernel/console.c \
                kernel/vsprintf.c kernel/error.c
ifneq ($(LIBFDT_SRC),)
FUZZ_CFLAGS  += -I$(LIBFDT_SRC)
DEVTREE_SRC  += $(addprefix $(LIBFDT_SRC)/,fdt.c fdt_ro.c fdt_check.c fdt_strerror.c)
FUZZ_LIBS    :=
FUZZ_BIN     := $(OUT)/fuzz_devtree_srcfdt
endif
DTS          := $(wildcard dts/*.dts)
SEEDS        := $(DTS:dts/%.dts=$(OUT)/seeds/devtree/%.dtb)
CPP_DTS      := cpp -nostdinc -undef -x assembler-with-cpp -Idts -Idts/include
DTC          := dtc -q -I dts -O dtb

# the device-model harness
DEVEMU_BIN   := $(OUT)/fuzz_devemu
MB1_BIN      := $(OUT)/fuzz_mb1
IOAPIC_BIN   := $(OUT)/fuzz_ioapic
IOAPIC_SRC   := tests/fuzz/fuzz_ioapic.c devemu/ioapic_model.c
LINUX_BIN    := $(OUT)/fuzz_linux
LINUX_SRC    := tests/fuzz/fuzz_linux.c kernel/linux_image.c kernel/vsprintf.c
MB1_SRC      := tests/fuzz/fuzz_mb1.c kernel/mb1_image.c kernel/mb1_info.c kernel/vsprintf.c
DEVEMU_SRC   := tests/fuzz/fuzz_devemu.c $(wildcard devemu/*.c) kernel/aspace.c kernel/linux_guest.c kernel/linux_image.c \
                kernel/mb1_guest.c kernel/mb1_image.c kernel/mb1_info.c \
                kernel/devtree.c kernel/vserial.c kernel/timer.c kernel/printk.c kernel/console.c \
                kernel/vsprintf.c kernel/error.c kernel/vcpu_irq.c kernel/acpi_guest.c kernel/acpi_tables.c
DEVEMU_SEEDS := $(patsubst tests/fuzz/devemu-seeds/%.hex,$(OUT)/seeds/devemu/%,\
                $(wildcard tests/fuzz/devemu-seeds/*.hex))

.PHONY: run build run-devtree run-devemu run-devices run-mb1 run-linux run-ioapic run-guests
run: run-devtree run-devemu run-devices run-mb1 run-linux run-ioapic $(if $(filter-out 0,$(GUEST_FUZZ_RUNS)),run-guests)

run-guests:
	@echo "  FUZZ    guests: $(GUEST_FUZZ_RUNS) seeds x $(GUEST_FUZZ_TRIES) tries per mode (Bochs)"
	@GUEST_FUZZ_SEEDS=random:$(GUEST_FUZZ_RUNS) GUEST_FUZZ_TRIES=$(GUEST_FUZZ_TRIES) \
		/usr/bin/python3 -m pytest -q -rA tests/system/test_guestfuzz.py

run-devtree: $(FUZZ_BIN) $(SEEDS)
	@mkdir -p $(OUT)/corpus/devtree $(OUT)/artifacts
	@echo "  FUZZ    devtree for $(FUZZ_SECONDS) s"
	@$(FUZZ_BIN) $(OUT)/corpus/devtree $(OUT)/seeds/devtree \
		-max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 \
		-dict=tests/fuzz/devtree.dict -print_final_stats=1 \
		-artifact_prefix=$(OUT)/artifacts/ $(FUZZ_ARGS) \
		> $(OUT)/devtree.log 2>&1; \
	rc=$$?; \
	execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(OUT)/devtree.log | tail -1); \
	rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $(OUT)/devtree.log | tail -1); \
	units=$$(ls $(OUT)/corpus/devtree | wc -l); \
	if [ $$rc -ne 0 ]; then \
		tail -n 60 $(OUT)/devtree.log; \
		echo "fuzz: devtree FAILED (status $$rc) after $${execs:-?} executions;" \
		     "full log $(OUT)/devtree.log, input in $(OUT)/artifacts/"; \
		exit 1; \
	fi; \
	echo "fuzz: devtree: $${execs:-?} executions in $(FUZZ_SECONDS) s ($${rate:-?}/s)," \
	     "corpus $$units inputs"

build: $(FUZZ_BIN) $(DEVEMU_BIN) $(MB1_BIN) $(LINUX_BIN) $(IOAPIC_BIN)

$(FUZZ_BIN): $(DEVTREE_SRC) $(wildcard kernel/*.h) tests/unit/host_compat.h tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(DEVTREE_SRC) $(FUZZ_LIBS)

$(OUT)/seeds/devtree/%.dtb: dts/%.dts $(wildcard dts/include/*.h dts/guests/*.dtsi)
	@mkdir -p $(dir $@)
	@$(CPP_DTS) $< | $(DTC) -o $@ -

# ---- device models (fuzz_devemu) ----

run-devemu: $(DEVEMU_BIN) $(DEVEMU_SEEDS)
	@mkdir -p $(OUT)/corpus/devemu $(OUT)/artifacts
	@echo "  FUZZ    devemu for $(FUZZ_SECONDS) s"
	@$(DEVEMU_BIN) $(OUT)/corpus/devemu $(OUT)/seeds/devemu \
		-max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(OUT)/artifacts/ $(FUZZ_ARGS) \
		> $(OUT)/devemu.log 2>&1; \
	rc=$$?; \
	execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(OUT)/devemu.log | tail -1); \
	rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $(OUT)/devemu.log | tail -1); \
	units=$$(ls $(OUT)/corpus/devemu | wc -l); \
	if [ $$rc -ne 0 ]; then \
		tail -n 60 $(OUT)/devemu.log; \
		echo "fuzz: devemu FAILED (status $$rc) after $${execs:-?} executions;" \
		     "full log $(OUT)/devemu.log, input in $(OUT)/artifacts/"; \
		exit 1; \
	fi; \
	echo "fuzz: devemu: $${execs:-?} executions in $(FUZZ_SECONDS) s ($${rate:-?}/s)," \
	     "corpus $$units inputs"

$(DEVEMU_BIN): $(DEVEMU_SRC) $(wildcard kernel/*.h devemu/*.h tests/unit/devemu_fixture.h) tests/fuzz/fuzz_host.h \
	       tests/unit/host_compat.h tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(DEVEMU_SRC)

# hex text to bytes: '#' starts a comment, blanks are ignored
$(OUT)/seeds/devemu/%: tests/fuzz/devemu-seeds/%.hex
	@mkdir -p $(dir $@)
	@perl -ne 's/#.*//; s/\s+//g; print pack("H*", $$_)' $< > $@

# ---- device models with time: PIT, RTC, i8042, port 0x92 (fuzz_devices) ----
DEVICES_BIN  := $(OUT)/fuzz_devices
DEVICES_SRC  := tests/fuzz/fuzz_devices.c $(wildcard devemu/*.c) kernel/aspace.c kernel/linux_guest.c kernel/linux_image.c \
                kernel/mb1_guest.c kernel/mb1_image.c kernel/mb1_info.c \
                kernel/devtree.c kernel/vserial.c kernel/timer.c kernel/printk.c kernel/console.c \
                kernel/vsprintf.c kernel/error.c kernel/vcpu_irq.c kernel/acpi_guest.c kernel/acpi_tables.c

run-devices: $(DEVICES_BIN)
	@mkdir -p $(OUT)/corpus/devices $(OUT)/artifacts
	@echo "  FUZZ    devices for $(FUZZ_SECONDS) s"
	@$(DEVICES_BIN) $(OUT)/corpus/devices -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
		-artifact_prefix=$(OUT)/artifacts/devices- -print_final_stats=1 \
		> $(OUT)/devices.log 2>&1; rc=$$?; \
	execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(OUT)/devices.log | tail -1); \
	rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $(OUT)/devices.log | tail -1); \
	if [ $$rc -ne 0 ]; then \
		tail -n 40 $(OUT)/devices.log; \
		echo "fuzz: devices FAILED (status $$rc) after $${execs:-?} executions;" \
		     "full log $(OUT)/devices.log, input in $(OUT)/artifacts/"; \
		exit 1; \
	fi; \
	echo "fuzz: devices: $${execs:-?} executions in $(FUZZ_SECONDS) s ($${rate:-?}/s)"

$(DEVICES_BIN): $(DEVICES_SRC) $(wildcard kernel/*.h devemu/*.h tests/unit/devemu_fixture.h) tests/fuzz/fuzz_host.h \
	       tests/unit/host_compat.h tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(DEVICES_SRC)

# ---- Multiboot v1 kernel images (fuzz_mb1) ----

run-mb1: $(MB1_BIN)
	@mkdir -p $(OUT)/corpus/mb1 $(OUT)/seeds/mb1 $(OUT)/artifacts
	@for f in $(wildcard $(BUILD)/guests/*.elf); do cp $$f $(OUT)/seeds/mb1/; done
	@echo "  FUZZ    mb1 for $(FUZZ_SECONDS) s"
	@$(MB1_BIN) $(OUT)/corpus/mb1 $(OUT)/seeds/mb1 -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(OUT)/artifacts/mb1- $(FUZZ_ARGS) \
		> $(OUT)/mb1.log 2>&1; \
	rc=$$?; \
	execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(OUT)/mb1.log | tail -1); \
	rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $(OUT)/mb1.log | tail -1); \
	if [ $$rc -ne 0 ]; then \
		tail -n 60 $(OUT)/mb1.log; \
		echo "fuzz: mb1 FAILED (status $$rc) after $${execs:-?} executions;" \
		     "full log $(OUT)/mb1.log, input in $(OUT)/artifacts/"; \
		exit 1; \
	fi; \
	echo "fuzz: mb1: $${execs:-?} executions in $(FUZZ_SECONDS) s ($${rate:-?}/s)"

$(MB1_BIN): $(MB1_SRC) $(wildcard kernel/*.h) tests/unit/host_compat.h tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(MB1_SRC)

# ---- Linux bzImages and the boot protocol (fuzz_linux) ----

run-linux: $(LINUX_BIN)
	@mkdir -p $(OUT)/corpus/linux $(OUT)/seeds/linux $(OUT)/artifacts
	@FUZZ_LINUX_SEEDS=$(OUT)/seeds/linux $(LINUX_BIN) || \
		{ echo "fuzz: linux: could not write the seeds to $(OUT)/seeds/linux"; exit 1; }
	@echo "  FUZZ    linux for $(FUZZ_SECONDS) s"
	@$(LINUX_BIN) $(OUT)/corpus/linux $(OUT)/seeds/linux -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(OUT)/artifacts/linux- $(FUZZ_ARGS) \
		> $(OUT)/linux.log 2>&1; \
	rc=$$?; \
	execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(OUT)/linux.log | tail -1); \
	rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $(OUT)/linux.log | tail -1); \
	units=$$(ls $(OUT)/corpus/linux | wc -l); \
	if [ $$rc -ne 0 ]; then \
		tail -n 60 $(OUT)/linux.log; \
		echo "fuzz: linux FAILED (status $$rc) after $${execs:-?} executions;" \
		     "full log $(OUT)/linux.log, input in $(OUT)/artifacts/"; \
		exit 1; \
	fi; \
	echo "fuzz: linux: $${execs:-?} executions in $(FUZZ_SECONDS) s ($${rate:-?}/s)," \
	     "corpus $$units inputs"

$(LINUX_BIN): $(LINUX_SRC) $(wildcard kernel/*.h) tests/unit/host_compat.h tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(LINUX_SRC)

# ---- the IO-APIC model against a reference (fuzz_ioapic) ----

run-ioapic: $(IOAPIC_BIN)
	@mkdir -p $(OUT)/corpus/ioapic $(OUT)/artifacts
	@echo "  FUZZ    ioapic for $(FUZZ_SECONDS) s"
	@$(IOAPIC_BIN) $(OUT)/corpus/ioapic -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(OUT)/artifacts/ioapic- $(FUZZ_ARGS) \
		> $(OUT)/ioapic.log 2>&1; \
	rc=$$?; \
	execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(OUT)/ioapic.log | tail -1); \
	rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $(OUT)/ioapic.log | tail -1); \
	if [ $$rc -ne 0 ]; then \
		tail -n 40 $(OUT)/ioapic.log; \
		echo "fuzz: ioapic FAILED (status $$rc) after $${execs:-?} executions;" \
		     "full log $(OUT)/ioapic.log, input in $(OUT)/artifacts/"; \
		exit 1; \
	fi; \
	echo "fuzz: ioapic: $${execs:-?} executions in $(FUZZ_SECONDS) s ($${rate:-?}/s)"

$(IOAPIC_BIN): $(IOAPIC_SRC) $(wildcard kernel/*.h devemu/*.h) tests/unit/host_compat.h tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(IOAPIC_SRC)
