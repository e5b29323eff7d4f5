; tests/guests/pitstorm1noeoi.asm - storm guest (tests/guests/include/storm.inc):
; PIT count 1, control word 0x34, EOI 0, RTC rate 3 0, UART timeout 0.
%define STORM_PIT 1
%define STORM_MODE 0x34
%define STORM_EOI 0
%define STORM_RTC 0
%define STORM_UART 0
%include "storm.inc"
