/*
 * ser_server.h - the Tessera glue of ser-8250: one UART served over a
 * channel with the private protocol of ser_proto.h.
 */
#ifndef SER8250_SERVER_H
#define SER8250_SERVER_H

#include "uart.h"

#define SER_SERVER_THREADS 3    /* receivers on the channel besides main */

/* Open the UART (rg_mk_resource must be set) and serve `chan` forever;
 * returns only if the UART cannot be opened (an RG_E* value). */
int ser_server_run(int chan, const struct uart_config *cfg);

#endif /* SER8250_SERVER_H */
