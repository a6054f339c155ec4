/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_PROTO_H
#define GW_PROTO_H

/* Protocol numbers and limits from the RFCs, named once. */

enum {
	GW_IKE_PORT = 500,		/* RFC 7296 */
	GW_IKE_NATT_PORT = 4500,	/* RFC 3948 */
	GW_NON_ESP_MARKER_LEN = 4,	/* RFC 3948 2.2: four zero octets */
	GW_NATT_KEEPALIVE_LEN = 1,	/* RFC 3948 2.3: one 0xff octet */
	GW_IPPROTO_ESP = 50,		/* RFC 4303 */
	GW_ESP_SPI_MIN = 256,		/* RFC 4303 2.1: 1..255 reserved */
	GW_IP_MAXPACKET = 65535,
	GW_ICMP_ERR_MAX_QUOTE = 548,	/* RFC 1812 4.3.2.3: <= 576 bytes total */
	GW_ICMP6_ERR_MAX = 1280,	/* RFC 4443 2.4(c): fit the minimum MTU */
};

#endif /* GW_PROTO_H */
