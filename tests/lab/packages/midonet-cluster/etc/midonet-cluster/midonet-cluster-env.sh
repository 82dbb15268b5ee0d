# LAB STAND-IN midonet-cluster (eucalyptus.cloud lab): JVM sizing is read by the real start
# script only; the stand-in ignores it.
MAX_HEAP_SIZE=256M
HEAP_NEWSIZE=64M
