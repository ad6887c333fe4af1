# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Sourced by the tests/integration/nts_*.sh tests after lib.sh: certificates made in the test
# with openssl (Debian package openssl; the test skips without it) and NTS server settings.
#
#   nts_certs DIR NAME...: DIR/ca.pem (a test CA), and for each NAME DIR/NAME.pem (a server
#       certificate for DNS:NAME signed by the CA, valid now) and DIR/NAME.key
#   nts_expired_cert DIR NAME: DIR/NAME.pem, DIR/NAME.key: signed by the CA, expired in 2020

NTS_CURVE=prime256v1

# nts_openssl_conf DIR: the configuration openssl req/ca need
nts_openssl_conf() {
	cat >"$1/openssl.cnf" <<-EOF
		[req]
		distinguished_name = dn
		[dn]
		[ca_ext]
		basicConstraints = critical,CA:TRUE
		keyUsage = critical,keyCertSign,cRLSign
		[server_ext]
		basicConstraints = critical,CA:FALSE
		keyUsage = critical,digitalSignature
		extendedKeyUsage = serverAuth
		subjectAltName = DNS:\${ENV::NTS_SAN}
		[ca]
		default_ca = test_ca
		[test_ca]
		database = $1/index.txt
		new_certs_dir = $1
		serial = $1/serial
		default_md = sha256
		policy = any
		unique_subject = no
		copy_extensions = none
		[any]
		commonName = supplied
	EOF
	: >"$1/index.txt"
	echo 01 >"$1/serial"
}

nts_certs() {
	local dir=$1 name
	shift
	command -v openssl >/dev/null || skip "openssl is missing (Debian package openssl)"
	if ! mkdir -p "$dir" || ! nts_openssl_conf "$dir"; then
		fatal "cannot write $dir/openssl.cnf"
	fi
	NTS_SAN=ca openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:$NTS_CURVE -nodes \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" -days 30 -subj "/CN=tsyncd test CA" \
		-config "$dir/openssl.cnf" -extensions ca_ext >/dev/null 2>&1 || fatal "openssl: the CA"
	for name in "$@"; do
		nts_server_cert "$dir" "$name" -days 30
	done
}

# nts_server_cert DIR NAME OPENSSL-CA-VALIDITY...: DIR/NAME.pem and DIR/NAME.key
nts_server_cert() {
	local dir=$1 name=$2
	shift 2
	if ! NTS_SAN=$name openssl req -newkey ec -pkeyopt ec_paramgen_curve:$NTS_CURVE -nodes \
		-keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$name" \
		-config "$dir/openssl.cnf" >/dev/null 2>&1 ||
		! NTS_SAN=$name openssl ca -batch -config "$dir/openssl.cnf" -cert "$dir/ca.pem" \
			-keyfile "$dir/ca.key" -in "$dir/$name.csr" -out "$dir/$name.pem" -notext \
			-extensions server_ext "$@" >/dev/null 2>&1; then
		fatal "openssl: the certificate of $name"
	fi
	chmod 600 "$dir/$name.key"
}

nts_expired_cert() {
	nts_server_cert "$1" "$2" -startdate 20200101000000Z -enddate 20200201000000Z
}

# nts_tsyncd_server NAME CERT OFFSET_S [LINES...]: tsyncd in namespace NAME serving NTP and NTS-KE
# (certificate DIR/CERT.pem of $NTS_CERTS) as local stratum 1, its virtual clock OFFSET_S ahead;
# the cookie keys in its state directory (owned by the daemon's user, $ITEST_UID: tsyncd_start)
nts_tsyncd_server() {
	local name=$1 cert=$2 offset=$3
	shift 3
	tsyncd_start "$name" < <(printf '%s\n' "local stratum 1" "allow all" \
		"clock virtual offset $offset" "nts cert $NTS_CERTS/$cert.pem" \
		"nts key $NTS_CERTS/$cert.key" "nts cookie $(dir_of "$name")/state/nts-keys" "$@")
}
