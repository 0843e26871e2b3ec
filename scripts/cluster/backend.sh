# The test backend's entry point (run by busybox sh): one page naming the pod, on :8080 until SIGTERM.
set -e
echo "backend $(busybox cat /etc/hostname)" > /www/index.html
trap 'exit 0' TERM INT
busybox httpd -f -p 8080 -h /www &
wait
