# Sourced by the scripts: the JDK Vireo builds and runs with, and the repository root.
export JAVA_HOME=${VIREO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
VIREO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export VIREO_ROOT
if [[ ! -x $JAVA_HOME/bin/java ]]; then
  echo "vireo: JDK 25 not found at $JAVA_HOME (set VIREO_JAVA_HOME to a JDK 25)" >&2
  exit 2
fi
# KVM that runs Vireo's guest: /dev/kvm usable, and not KVM-PVM, whose kvm_pvm runs only
# PVM-enlightened guest kernels (docs/kvm-testbed.md); elsewhere scripts/kvm-testbed stands in.
vireo_kvm_usable() { [[ -r /dev/kvm && -w /dev/kvm && ! -e /sys/module/kvm_pvm ]]; }
