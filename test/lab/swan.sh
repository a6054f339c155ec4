# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# strongSwan lab helpers: charon (charon-systemd, userspace ESP with
# kernel-libipsec) in network namespaces, as the interop peer of ipsecgw.
# Source test/lab/lab.sh and this file, call lab_init, then swan_init.  It
# reuses lab.sh's run id, temp dir, namespaces (lab_netns_add, lab_veth),
# helper processes (lab_bg_start/stop: charon is one, stopped by PID) and
# checks (lab_check).  Every charon gets a NAME: its files are in
# $SWAN_DIR/NAME, its helper process is "swan-NAME".
#
#   swan_init PKI_TOOL            check charon-systemd/swanctl (else exit 77),
#                                 $SWAN_DIR, teardown trap (charon log tails on
#                                 failure, then lab_teardown)
#   swan_topology                 lh-ID -- l-ID ==transit== r-ID -- rh-ID (below)
#
#   PKI (test/lab/pki_tool.c):
#   swan_pki DIR                  root + intermediate CA and pki_tool's standard
#                                 certificates (pki_tool init DIR)
#   swan_pki_ee DIR NAME KEY SERIAL CN SAN
#                                 one more end-entity certificate by the
#                                 intermediate: KEY rsa|ec, SAN in OpenSSL syntax
#                                 ("DNS:x,IP:a.b.c.d,email:u@x"), no CDP
#   swan_pki_crl DIR OUT SERIALS [NUMBER]
#                                 a PEM CRL of the intermediate revoking SERIALS
#                                 ("0x3003,0x3004:1", :REASON a CRLReason code),
#                                 cRLNumber NUMBER (1), next update in a day
#
#   One charon instance:
#   swan_instance NAME NS         its directory: strongswan.conf, swanctl/ with
#                                 x509 x509ca private x509crl (empty: see
#                                 swan_trust, swan_cert), the vici socket,
#                                 charon.log; no connection yet
#   swan_strongswan_conf NAME [LINE...]
#                                 (re)write strongswan.conf; each LINE is added
#                                 inside "charon { }" (e.g. "threads = 64")
#   swan_trust NAME PKI_DIR       root.crt and inter.crt into x509ca/
#   swan_cert NAME PKI_DIR CERT   CERT.crt into x509/ and CERT.key into private/
#   swan_crl_file NAME FILE       a CRL into x509crl/ (load with swan_load)
#   swan_conns_reset NAME         forget the connections written so far
#   swan_conn NAME CONN KEY=VALUE...
#                                 add one connection (with one child) to
#                                 swanctl.conf; keys and defaults below
#   swan_start NAME               charon-systemd in NAME's namespace, wait until
#                                 its vici socket answers (30 s)
#   swan_ctl NAME CMD [ARGS...]   swanctl CMD --uri NAME's socket ARGS...
#   swan_load NAME                swanctl --load-all (conns, certs, keys, CRLs);
#                                 connections no longer in the file are unloaded
#   swan_initiate NAME CHILD [IKE] [TIMEOUT]
#                                 swanctl --initiate, its output in
#                                 $SWAN_DIR/NAME/initiate.out, the elapsed time
#                                 in SWAN_ELAPSED_MS; its exit status
#   swan_last_ms NAME             that time again (from a file: for callers in
#                                 a subshell, e.g. under lab_check)
#   swan_terminate NAME IKE       swanctl --terminate --ike IKE (and wait)
#   swan_ike_state NAME IKE       "ESTABLISHED IKEv2 REMOTE_ADDR 'REMOTE_ID'" of the
#                                 first IKE SA of connection IKE; 1 if none
#   swan_ike_up NAME IKE PEER     an IKE SA of IKE is ESTABLISHED with peer
#                                 address PEER; shows the SA
#   swan_child_up NAME IKE CHILD  a CHILD SA CHILD of IKE is INSTALLED
#   swan_child_counter NAME IKE CHILD in|out bytes|packets
#                                 one traffic counter of that CHILD SA
#   swan_wait_ike NAME IKE PEER SECONDS
#                                 until swan_ike_up (a responder's view)
#   swan_sa_count NAME IKE        how many IKE SAs of connection IKE exist
#   swan_wait_gone NAME IKE SECONDS
#                                 until NAME has no IKE SA of IKE (printed)
#   swan_flush_crls NAME          drop the CRLs charon cached (fetched ones)
#   swan_log_has NAME REGEX       charon.log of NAME has REGEX (shows the line)
#   swan_log_count NAME REGEX     how many lines of NAME's charon.log match REGEX
#   swan_stop NAME                SIGTERM by PID (SIGKILL after 5 s)
#
#   The ipsecgw side of a test against charon (lab.sh's gateway):
#   ikev2_counter NAME            one counter of /ipsecgw/ikev2/stats
#   ikev2_counter_at_least NAME MIN
#                                 that counter is at least MIN (printed)
#   ikev2_wait_counter NAME MIN SECONDS
#                                 until ikev2_counter_at_least, or SECONDS pass
#   gw_logged REGEX               the gateway's log has REGEX (the last such
#                                 line shown)
#
#   Internal: swan_teardown (the EXIT trap), swan_indent TEXT, swan_vici NAME
#   (the socket URI), swan_write_swanctl NAME (swanctl.conf from conns/*.conf),
#   swan_sas NAME IKE (swanctl --list-sas --ike IKE --pretty: "key = value"
#   lines, CHILD SAs in "child-sas { NAME-UNIQUEID { ... } }"),
#   swan_child_field NAME IKE CHILD KEY (one value of the first such CHILD SA,
#   e.g. state, encr-alg, bytes-in, packets-out).
#
# swan_conn keys (default):
#   VERSION (2)  LOCAL_ADDRS  REMOTE_ADDRS  LOCAL_ID  REMOTE_ID
#   CERT: a file in x509/  PROPOSALS (aes128-sha256-ecp256)
#   ESP_PROPOSALS (aes128gcm16)  LOCAL_TS  REMOTE_TS  CHILD (net)
#   START_ACTION (none)  DPD_DELAY (5s)  REKEY_TIME (IKE, 4h; 0 = none)
#   CHILD_REKEY_TIME (1h)  REAUTH_TIME (0)  MOBIKE (no)  FRAGMENTATION (yes)
#   REVOCATION (relaxed; strict: a CRL must be there)  ENCAP (no)
#   REMOTE_PORT (500)  DPD_ACTION (clear)  CLOSE_ACTION (none)
#
# Topology of swan_topology (names carry lab.sh's run id):
#
#   lh-ID               l-ID (charon "left")          r-ID (charon "right")          rh-ID
#   lhi-ID  <-veth->  lhg-ID     ltr-ID  <--veth-->  rtr-ID    rhg-ID  <-veth->  rhi-ID
#   172.31.1.10/24    172.31.1.1  10.20.0.1/24       10.20.0.2  172.31.2.1     172.31.2.10/24
#
#   The charon namespaces forward (ip_forward=1); the host namespaces route
#   by default through their charon.
#
# What was learnt on this machine (Debian 12, strongSwan 5.9.8, no ESP in the
# kernel, 2 cores):
# - Packages: strongswan-swanctl charon-systemd libcharon-extra-plugins
#   libstrongswan-extra-plugins AND libstrongswan-standard-plugins (the
#   openssl and gcm plugins are there).  test/lab/install-deps.sh has them.
# - The plugin list must name kernel-libipsec BEFORE kernel-netlink, or the
#   CHILD SA install fails ("unable to add SAD entry").  With the explicit
#   "load =" list nothing from /etc/strongswan.d is read.
# - Routes: kernel-libipsec creates the TUN device ipsec0 at start; for every
#   CHILD SA, charon (kernel-netlink, charon.install_routes = yes, the
#   default) puts "REMOTE_TS dev ipsec0 [src LOCAL]" into table 220 (the
#   rule "from all lookup 220" at priority 220 is added by charon), src being
#   an address of this host inside LOCAL_TS (here 172.31.x.1).  Nothing else
#   is needed on the charon host but ip_forward=1 for the hosts behind it
#   (seen: "172.31.2.0/24 dev ipsec0 proto static src 172.31.1.1");
#   those route to the far inner net via their charon as usual.  Decrypted
#   packets come out of ipsec0 and are forwarded normally.  The route goes
#   away with the CHILD SA.
# - ESP is always ESP-in-UDP on 4500 (libipsec; --list-sas: TUNNEL-in-UDP);
#   IKE moves to 4500 after IKE_SA_INIT (IKEv2) / in main mode (IKEv1)
#   although there is no NAT (charon logs "remote host is behind NAT": it
#   sends fake NAT-D hashes).  With fragmentation = yes and the peer's
#   FRAGMENTATION_SUPPORTED, an RSA IKE_AUTH (~1.4 KB) goes as 2 fragments.
# - Scripts: read swanctl/ip output whole before grep -q; "cmd | grep -q"
#   under pipefail fails at random when grep exits first (SIGPIPE).
# - Timers here: retransmit_timeout 1 s, retransmit_base 1.4, retransmit_tries
#   3: an unanswered request gives up after 1 + 1.4 + 1.96 + 2.74 = ~7 s
#   (default: 4 s, 1.8, 5 tries = ~165 s).  swan_initiate's timeout (20 s)
#   is only a backstop.  DPD every 5 s, IKE rekey 4 h, CHILD rekey 1 h, no
#   reauthentication: nothing rekeys during a test unless it asks for it.
# - Times measured here (swan_lab.sh prints them): a charon is up (vici
#   answers) ~120 ms after the exec; swanctl --initiate until the CHILD SA is
#   installed: IKEv2 with RSA-2048/ECDSA P-256 certificates ~25 ms
#   (IKE_SA_INIT + IKE_AUTH), IKEv1 main mode + quick mode with RSA ~25 ms; a
#   refusal of a revoked certificate ~25 ms.  Ping over the tunnel ~0.6 ms.
#   The PKI (pki_tool init + 4 certificates, RSA key generation) ~2.5 s.
#   The whole swan_lab.sh ~7 s.
# - Rekey times are randomised by charon (rand_time = 10 % of the time
#   unless set): "rekey_time = 4h" shows "rekeying in ~14000 s".
# - charon-systemd reads the charon.* settings (it falls back to them); its
#   journal logger must be off (charon-systemd.journal.default = -1) without
#   systemd, and charon.filelog.NAME.path gives a per-instance log.
# - Without a vici socket per instance, swanctl talks to the system's
#   /var/run/charon.vici: every swanctl call here passes --uri, after the
#   command ("swanctl --list-sas --uri unix://...").
# - A CRL in x509crl/ (swanctl --load-all) revokes at once for new IKE SAs
#   (log: "certificate was revoked on ..., reason: key compromise"; swanctl
#   --initiate says "no trusted RSA public key found for '<id>'" and sends
#   AUTH_FAILED); charon does not re-check established SAs.  Fetched CRLs are cached until
#   nextUpdate (charon.cache_crls = no keeps them off disk, not out of
#   memory): swan_flush_crls drops them.

SWAN_CHARON=/usr/sbin/charon-systemd
SWAN_SWANCTL=/usr/sbin/swanctl
SWAN_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey curl aes sha1 sha2 hmac gcm kdf curve25519 kernel-libipsec kernel-netlink socket-default vici"

# Addresses of swan_topology (the nets are for the tests' traffic selectors).
SWAN_L_HOST_IP4=172.31.1.10
SWAN_L_GW_IN_IP4=172.31.1.1
# shellcheck disable=SC2034
SWAN_L_NET4=172.31.1.0/24
SWAN_R_HOST_IP4=172.31.2.10
SWAN_R_GW_IN_IP4=172.31.2.1
# shellcheck disable=SC2034
SWAN_R_NET4=172.31.2.0/24
SWAN_L_TR_IP4=10.20.0.1
SWAN_R_TR_IP4=10.20.0.2

declare -A SWAN_NS=()		# NAME -> namespace of its charon
SWAN_ELAPSED_MS=

# swan_init PKI_TOOL
swan_init() {
	local tool=$1
	[[ -x $SWAN_CHARON && -x $SWAN_SWANCTL ]] || {
		echo "SKIP: strongSwan not installed ($SWAN_CHARON, $SWAN_SWANCTL): run test/lab/install-deps.sh"
		exit 77
	}
	SWAN_PKI_TOOL=$(readlink -f "$tool")
	[[ -x $SWAN_PKI_TOOL ]] || lab_die "pki_tool not found: $tool"
	SWAN_DIR=$LAB_TMP/swan
	mkdir -p "$SWAN_DIR"
	trap swan_teardown EXIT
	lab_log "strongSwan files in $SWAN_DIR"
}

# Tails of the charon logs if anything failed, then lab.sh's teardown (which
# stops every charon by PID and removes the namespaces).
swan_teardown() {
	local rc=$? name
	if ((LAB_FAIL > 0 || rc != 0)); then
		for name in "${!SWAN_NS[@]}"; do
			[[ -f $SWAN_DIR/$name/charon.log ]] || continue
			echo "--- last lines of charon $name ($SWAN_DIR/$name/charon.log):"
			tail -n 25 "$SWAN_DIR/$name/charon.log" | sed 's/^/  | /'
		done
	fi
	(exit "$rc")
	lab_teardown
}

swan_topology() {
	NS_SWAN_LH=lh-$LAB_ID
	NS_SWAN_L=l-$LAB_ID
	NS_SWAN_R=r-$LAB_ID
	NS_SWAN_RH=rh-$LAB_ID
	local ns
	for ns in "$NS_SWAN_LH" "$NS_SWAN_L" "$NS_SWAN_R" "$NS_SWAN_RH"; do
		lab_netns_add "$ns"
	done
	lab_veth "$NS_SWAN_LH" "lhi$LAB_ID" "$NS_SWAN_L" "lhg$LAB_ID"
	lab_veth "$NS_SWAN_L" "ltr$LAB_ID" "$NS_SWAN_R" "rtr$LAB_ID"
	lab_veth "$NS_SWAN_R" "rhg$LAB_ID" "$NS_SWAN_RH" "rhi$LAB_ID"
	ip -n "$NS_SWAN_LH" addr add "$SWAN_L_HOST_IP4/24" dev "lhi$LAB_ID"
	ip -n "$NS_SWAN_LH" route add default via "$SWAN_L_GW_IN_IP4"
	ip -n "$NS_SWAN_L" addr add "$SWAN_L_GW_IN_IP4/24" dev "lhg$LAB_ID"
	ip -n "$NS_SWAN_L" addr add "$SWAN_L_TR_IP4/24" dev "ltr$LAB_ID"
	ip -n "$NS_SWAN_R" addr add "$SWAN_R_TR_IP4/24" dev "rtr$LAB_ID"
	ip -n "$NS_SWAN_R" addr add "$SWAN_R_GW_IN_IP4/24" dev "rhg$LAB_ID"
	ip -n "$NS_SWAN_RH" addr add "$SWAN_R_HOST_IP4/24" dev "rhi$LAB_ID"
	ip -n "$NS_SWAN_RH" route add default via "$SWAN_R_GW_IN_IP4"
	for ns in "$NS_SWAN_L" "$NS_SWAN_R"; do
		lab_in "$ns" sysctl -qw net.ipv4.ip_forward=1 || lab_die "ip_forward in $ns"
	done
	lab_log "namespaces $NS_SWAN_LH - $NS_SWAN_L == $NS_SWAN_R - $NS_SWAN_RH"
}

# ---------------------------------------------------------------- PKI

swan_indent() { printf '%s\n' "$1" | sed 's/^/    /'; }

# swan_pki DIR
swan_pki() {
	local out
	mkdir -p "$1"
	out=$("$SWAN_PKI_TOOL" init "$1") || { echo "$out"; lab_die "pki_tool init $1 failed"; }
	swan_indent "$out"
}

# swan_pki_ee DIR NAME KEY SERIAL CN SAN
swan_pki_ee() {
	local out
	out=$("$SWAN_PKI_TOOL" ee "$1" "$2" --key "$3" --serial "$4" --cn "$5" --san "$6") ||
		{ echo "$out"; lab_die "pki_tool ee $2 failed"; }
	swan_indent "$out"
}

# swan_pki_crl DIR OUT SERIALS [NUMBER]
swan_pki_crl() {
	local out
	out=$("$SWAN_PKI_TOOL" crl "$1" inter "$2" --revoke "$3" --number "${4:-1}" --pem) ||
		{ echo "$out"; lab_die "pki_tool crl failed"; }
	swan_indent "$out"
}

# ---------------------------------------------------------------- instance

# swan_instance NAME NS
swan_instance() {
	local name=$1 d=$SWAN_DIR/$1
	SWAN_NS[$name]=$2
	# Every directory --load-all reads, so that it does not complain.
	mkdir -p "$d"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12,conns}
	chmod 700 "$d/swanctl/private"
	swan_strongswan_conf "$name"
	swan_conns_reset "$name"
}

swan_vici() { echo "unix://$SWAN_DIR/$1/charon.vici"; }

# swan_strongswan_conf NAME [LINE...]
swan_strongswan_conf() {
	local name=$1 d=$SWAN_DIR/$1 line extra=
	shift
	for line in "$@"; do
		extra+="	$line"$'\n'
	done
	cat >"$d/strongswan.conf" <<EOF
# strongSwan lab instance "$name" (test/lab/swan.sh)
charon {
	load = $SWAN_PLUGINS
	port = 500
	port_nat_t = 4500
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	retransmit_tries = 3
	retransmit_jitter = 0
	install_routes = yes
	routing_table = 220
	routing_table_prio = 220
	cache_crls = no
	send_vendor_id = no
${extra}	plugins {
		vici {
			socket = $(swan_vici "$name")
		}
		revocation {
			enable_ocsp = no
			enable_crl = yes
		}
		kernel-libipsec {
			allow_peer_ts = no
		}
	}
	filelog {
		lab {
			path = $d/charon.log
			time_format = %H:%M:%S
			ike_name = yes
			append = yes
			flush_line = yes
			default = 1
			ike = 2
			cfg = 2
			knl = 2
		}
	}
}
charon-systemd {
	journal {
		default = -1
	}
}
EOF
}

# swan_trust NAME PKI_DIR
swan_trust() {
	cp "$2/root.crt" "$2/inter.crt" "$SWAN_DIR/$1/swanctl/x509ca/" || lab_die "swan_trust $1"
}

# swan_cert NAME PKI_DIR CERT
swan_cert() {
	local s=$SWAN_DIR/$1/swanctl
	if ! cp "$2/$3.crt" "$s/x509/" || ! cp "$2/$3.key" "$s/private/" ||
		! chmod 600 "$s/private/$3.key"; then
		lab_die "swan_cert $1 $3"
	fi
}

# swan_crl_file NAME FILE
swan_crl_file() { cp "$2" "$SWAN_DIR/$1/swanctl/x509crl/" || lab_die "swan_crl_file $1 $2"; }

swan_conns_reset() {
	rm -f "$SWAN_DIR/$1"/swanctl/conns/*.conf
	swan_write_swanctl "$1"
}

# swanctl.conf = every connection written by swan_conn.
swan_write_swanctl() {
	local s=$SWAN_DIR/$1/swanctl f
	{
		echo "# strongSwan lab instance \"$1\" (test/lab/swan.sh)"
		echo "connections {"
		for f in "$s"/conns/*.conf; do
			[[ -f $f ]] && cat "$f"
		done
		echo "}"
	} >"$s/swanctl.conf"
}

# swan_conn NAME CONN KEY=VALUE...
swan_conn() {
	local name=$1 conn=$2 kv
	shift 2
	local -A v=([VERSION]=2 [PROPOSALS]=aes128-sha256-ecp256 [ESP_PROPOSALS]=aes128gcm16
		[CHILD]=net [START_ACTION]=none [DPD_DELAY]=5s [REKEY_TIME]=4h
		[CHILD_REKEY_TIME]=1h [REAUTH_TIME]=0 [MOBIKE]=no [FRAGMENTATION]=yes
		[REVOCATION]=relaxed [ENCAP]=no [REMOTE_PORT]=500 [DPD_ACTION]=clear
		[CLOSE_ACTION]=none)
	local known=" ${!v[*]} LOCAL_ADDRS REMOTE_ADDRS LOCAL_ID REMOTE_ID CERT LOCAL_TS REMOTE_TS "
	for kv in "$@"; do
		[[ $kv == *=* ]] || lab_die "swan_conn $conn: not KEY=VALUE: $kv"
		[[ $known == *" ${kv%%=*} "* ]] || lab_die "swan_conn $conn: unknown key ${kv%%=*}"
		v[${kv%%=*}]=${kv#*=}
	done
	for kv in LOCAL_ADDRS REMOTE_ADDRS LOCAL_ID REMOTE_ID CERT LOCAL_TS REMOTE_TS; do
		[[ -n ${v[$kv]:-} ]] || lab_die "swan_conn $name $conn: $kv missing"
	done
	cat >"$SWAN_DIR/$name/swanctl/conns/$conn.conf" <<EOF
	$conn {
		version = ${v[VERSION]}
		local_addrs = ${v[LOCAL_ADDRS]}
		remote_addrs = ${v[REMOTE_ADDRS]}
		remote_port = ${v[REMOTE_PORT]}
		proposals = ${v[PROPOSALS]}
		dpd_delay = ${v[DPD_DELAY]}
		rekey_time = ${v[REKEY_TIME]}
		reauth_time = ${v[REAUTH_TIME]}
		mobike = ${v[MOBIKE]}
		fragmentation = ${v[FRAGMENTATION]}
		encap = ${v[ENCAP]}
		local {
			auth = pubkey
			certs = ${v[CERT]}
			id = ${v[LOCAL_ID]}
		}
		remote {
			auth = pubkey
			id = ${v[REMOTE_ID]}
			revocation = ${v[REVOCATION]}
		}
		children {
			${v[CHILD]} {
				local_ts = ${v[LOCAL_TS]}
				remote_ts = ${v[REMOTE_TS]}
				esp_proposals = ${v[ESP_PROPOSALS]}
				rekey_time = ${v[CHILD_REKEY_TIME]}
				start_action = ${v[START_ACTION]}
				dpd_action = ${v[DPD_ACTION]}
				close_action = ${v[CLOSE_ACTION]}
			}
		}
	}
EOF
	swan_write_swanctl "$name"
}

# swan_start NAME
swan_start() {
	local name=$1 d=$SWAN_DIR/$1 i
	[[ -n ${SWAN_NS[$name]:-} ]] || lab_die "swan_start: no instance $name"
	lab_bg_start "swan-$name" "$d/charon.out" env STRONGSWAN_CONF="$d/strongswan.conf" \
		ip netns exec "${SWAN_NS[$name]}" "$SWAN_CHARON"
	for ((i = 0; i < 300; i++)); do
		swan_ctl "$name" --stats >/dev/null 2>&1 && break
		lab_bg_alive "swan-$name" || {
			tail -n 20 "$d/charon.out" "$d/charon.log" 2>/dev/null | sed 's/^/  | /'
			lab_die "charon $name exited during start-up"
		}
		sleep 0.1
	done
	swan_ctl "$name" --stats >/dev/null 2>&1 || lab_die "charon $name: no vici answer after 30 s"
	lab_log "charon $name ($(swan_ctl "$name" --version --daemon 2>/dev/null | sed -n 's/^daemon: *//p;s/^version: *//p' | tr '\n' ' ')) in ${SWAN_NS[$name]}, pid ${LAB_BG[swan-$name]}"
}

# swan_ctl NAME CMD [ARGS...]
swan_ctl() {
	local name=$1 cmd=$2
	shift 2
	STRONGSWAN_CONF=$SWAN_DIR/$name/strongswan.conf \
		"$SWAN_SWANCTL" "$cmd" --uri "$(swan_vici "$name")" "$@"
}

# swan_load NAME
swan_load() {
	swan_ctl "$1" --load-all --file "$SWAN_DIR/$1/swanctl/swanctl.conf"
}

# swan_initiate NAME CHILD [IKE] [TIMEOUT]
swan_initiate() {
	local name=$1 child=$2 ike=${3:-} timeout=${4:-20} t0 t1 rc
	t0=$(date +%s%N)
	swan_ctl "$name" --initiate --child "$child" ${ike:+--ike "$ike"} --timeout "$timeout" \
		>"$SWAN_DIR/$name/initiate.out" 2>&1
	rc=$?
	t1=$(date +%s%N)
	SWAN_ELAPSED_MS=$(((t1 - t0) / 1000000))
	echo "$SWAN_ELAPSED_MS" >"$SWAN_DIR/$name/initiate.ms"
	return $rc
}

swan_last_ms() { cat "$SWAN_DIR/$1/initiate.ms" 2>/dev/null || echo '?'; }

# swan_terminate NAME IKE
swan_terminate() {
	swan_ctl "$1" --terminate --ike "$2" --timeout 10
}

# swan_sas NAME IKE: the pretty-printed raw list of IKE's SAs.
swan_sas() { swan_ctl "$1" --list-sas --ike "$2" --pretty 2>/dev/null; }

# swan_ike_state NAME IKE
swan_ike_state() {
	swan_sas "$1" "$2" | awk '
		$1 == "state" && ike == "" { ike = $3 }
		$1 == "version" && ver == "" { ver = "IKEv" $3 }
		$1 == "remote-host" && rh == "" { rh = $3 }
		$1 == "remote-id" && rid == "" { rid = $3 }
		END { if (ike == "") exit 1; print ike, ver, rh, "\047" rid "\047" }'
}

# swan_ike_up NAME IKE PEER
swan_ike_up() {
	local st
	st=$(swan_ike_state "$1" "$2") || { echo "$1: no IKE SA of $2"; return 1; }
	echo "$1: $2: $st"
	[[ $st == "ESTABLISHED "*" $3 "* ]]
}

# swan_child_field NAME IKE CHILD KEY: KEY of the first CHILD SA named CHILD.
swan_child_field() {
	swan_sas "$1" "$2" | awk -v child="$3" -v key="$4" '
		$1 == "child-sas" { in_children = 1; next }
		in_children && $2 == "{" && $1 ~ "^" child "(-[0-9]+)?$" { in_child = 1; next }
		in_child && $1 == key && !done { print $3; done = 1 }
		in_child && $1 == "}" { in_child = 0 }'
}

# swan_child_up NAME IKE CHILD
swan_child_up() {
	local st
	st=$(swan_child_field "$1" "$2" "$3" state)
	echo "$1: CHILD SA $3 of $2: ${st:-none}" \
		"(${4:-}$(swan_child_field "$1" "$2" "$3" encr-alg)" \
		"$(swan_child_field "$1" "$2" "$3" encr-keysize), mode $(swan_child_field "$1" "$2" "$3" mode)," \
		"encap $(swan_child_field "$1" "$2" "$3" encap))"
	[[ $st == INSTALLED ]]
}

# swan_child_counter NAME IKE CHILD in|out bytes|packets
swan_child_counter() {
	local v
	v=$(swan_child_field "$1" "$2" "$3" "$5-$4")
	[[ $v =~ ^[0-9]+$ ]] || return 1
	echo "$v"
}

# swan_wait_ike NAME IKE PEER SECONDS
swan_wait_ike() {
	local i
	for ((i = 0; i < $4 * 10; i++)); do
		swan_ike_up "$1" "$2" "$3" >/dev/null 2>&1 && { swan_ike_up "$1" "$2" "$3"; return 0; }
		sleep 0.1
	done
	swan_ike_up "$1" "$2" "$3"
}

# swan_sa_count NAME IKE
swan_sa_count() {
	swan_ctl "$1" --list-sas --ike "$2" --raw 2>/dev/null | grep -c "^list-sa event {$2 {"
}

# swan_wait_gone NAME IKE SECONDS: until charon NAME has no IKE SA of IKE.
swan_wait_gone() {
	local i n
	for ((i = 0; i < $3 * 5; i++)); do
		n=$(swan_sa_count "$1" "$2")
		[[ $n == 0 ]] && break
		sleep 0.2
	done
	echo "charon $1: IKE SAs of $2: $n"
	[[ $n == 0 ]]
}

# swan_flush_crls NAME
swan_flush_crls() { swan_ctl "$1" --flush-certs --type x509_crl; }

# swan_log_has NAME REGEX
swan_log_has() {
	grep -E -- "$2" "$SWAN_DIR/$1/charon.log" | tail -n 3 | grep . ||
		{ echo "charon $1 never logged /$2/"; return 1; }
}

# swan_log_count NAME REGEX
swan_log_count() { grep -cE -- "$2" "$SWAN_DIR/$1/charon.log"; }

# swan_stop NAME
swan_stop() { lab_bg_stop "swan-$1"; }

# ---------------------------------------------------------------- ipsecgw side

# ikev2_counter NAME
ikev2_counter() { lab_cli --raw /ipsecgw/ikev2/stats | "$LAB_PY" "$LAB_SRC/jsonget.py" "$1"; }

# ikev2_counter_at_least NAME MIN
ikev2_counter_at_least() {
	local n
	n=$(ikev2_counter "$1") || return 1
	echo "$1 = $n"
	((n >= $2))
}

# ikev2_wait_counter NAME MIN SECONDS
ikev2_wait_counter() {
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		ikev2_counter_at_least "$1" "$2" >/dev/null 2>&1 && break
		sleep 0.2
	done
	ikev2_counter_at_least "$1" "$2"
}

# gw_logged REGEX
gw_logged() { grep -E -- "$1" "$LAB_GW_LOG" | tail -n 1 | grep . || { echo "ipsecgw never logged /$1/"; return 1; }; }

# ---- the *_swan_life tests: one peer "swan", the caller's PKI, S, GW_ID,
# PEER_ID, HQ_LAN, BR_LAN, IKE_P and ESP_P ----

# swan_life_gw_conf OUT VERSION DPD_INTERVAL [ESP_PROPOSAL [CHILD_LIFETIME]]:
# the gateway, responder only, IKE version VERSION.
swan_life_gw_conf() {
	lab_conf_af_packet "$1" || lab_die "cannot render $1"
	cat >>"$1" <<EOF
pki = {
  identities = ( { cert = "$PKI/gw.crt"; key = "$PKI/gw.key"; chain = "$PKI/inter.crt"; } );
  trustpoints = ( { name = "LAB-CA"; ca = "$PKI/ca.crt"; revocation_check = "none"; } );
};
crypto = { ikev2 = { dpd_interval = $3; }; isakmp = { dpd_interval = $3; }; };
peers = (
  { name = "swan"; ike_version = $2; remote = "$LAB_HQ_IP4";
    remote_id = "$PEER_ID"; local_id = "$GW_ID"; trustpoint = "LAB-CA";
    ike_proposals = [ "$IKE_P" ]; esp_proposals = [ "${4:-$ESP_P}" ];
    local_ts = [ "$BR_LAN" ]; remote_ts = [ "$HQ_LAN" ];
    initiate = "none"; child_lifetime = ${5:-3600}; }
);
EOF
}

# swan_life_conf VERSION KEY=VALUE...: charon's side of the tunnel, with
# extra swan_conn keys, loaded.  Short rekey times need explicit hard
# lifetimes and jitter: charon's defaults (life/over time 10 % above the
# rekey time, jitter as large) let a 6 s SA expire before its rekey.
# swan_conn has no keys for them, so they are added to the IKE SA (2 tabs)
# and CHILD SA (4 tabs) sections here.
swan_life_conf() {
	local v=$1 f=$SWAN_DIR/$S/swanctl/conns/gw.conf
	shift
	swan_conns_reset "$S"
	swan_conn "$S" gw VERSION="$v" LOCAL_ADDRS="$LAB_HQ_IP4" REMOTE_ADDRS="$LAB_GW_OUT_IP4" \
		LOCAL_ID="$PEER_ID" REMOTE_ID="$GW_ID" CERT=peer.crt \
		LOCAL_TS="$HQ_LAN" REMOTE_TS="$BR_LAN" PROPOSALS="$IKE_P" ESP_PROPOSALS="$ESP_P" "$@"
	sed -i -e 's/^\t\trekey_time = .*/&\n\t\tover_time = 120s\n\t\trand_time = 1s/' \
		-e 's/^\t\t\t\trekey_time = .*/&\n\t\t\t\tlife_time = 7200s\n\t\t\t\trand_time = 1s/' "$f" ||
		return 1
	swan_write_swanctl "$S"
	swan_load "$S" | grep -E '^(loaded|successfully|no )'
}
