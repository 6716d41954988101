# tests/lab/deps.sh: sourced by scripts/test, scripts/demo and scripts/bench.
# Installs the Debian packages drdeck and its lab need when one is missing
# (apt-get, as root); without root it prints the exact command and stops.

DRDECK_PKGS=(libssh2-1-dev libpq-dev libcjson-dev libncurses-dev
	libcurl4-openssl-dev libssl-dev libcmocka-dev openssh-server postgresql
	nginx tmux nftables clang libclang-rt-14-dev cmake pkg-config python3
	procps iproute2 jq curl openssl opensmtpd)

drdeck_deps() {
	local p missing=()
	for p in "${DRDECK_PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages: ${missing[*]}" >&2
		echo "run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null ||
		{ echo "apt-get install failed" >&2; exit 1; }
}
