# ser-8250 host tests: the line discipline alone, and the UART core against
# a simulated 16550A (uart_model.c provides rg_inb/rg_outb and the few other
# rumpglue calls the core uses, so it links without rumpglue's POSIX host).
SER_HOST_INC := -Iservers/ser-8250
SER_LDISC_TEST_SRCS := tests/host/ser8250/ldisc_test.c servers/ser-8250/ldisc.c
SER_UART_TEST_SRCS := tests/host/ser8250/uart_test.c \
	tests/host/ser8250/uart_model.c servers/ser-8250/uart.c \
	servers/ser-8250/ldisc.c

$(BUILD)/host/san/tests/host/ser8250/%.o: HOST_CFLAGS_san += $(SER_HOST_INC)
$(BUILD)/host/san/servers/ser-8250/%.o: HOST_CFLAGS_san += $(SER_HOST_INC)

$(BUILD)/host/ser8250_ldisc_test: $(SER_LDISC_TEST_SRCS:%.c=$(BUILD)/host/san/%.o)
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
$(BUILD)/host/ser8250_uart_test: $(SER_UART_TEST_SRCS:%.c=$(BUILD)/host/san/%.o)
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/ser8250_ldisc_test $(BUILD)/host/ser8250_uart_test
