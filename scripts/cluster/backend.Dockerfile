# The cluster test's backend: busybox httpd answering GET / with "backend <pod name>", so a test
# sees which pod served it. The image is busybox alone (about 2 MB), taken from Debian's
# busybox-static on the local base image. SIGTERM ends it at once; the test's Deployment keeps it
# serving through a preStop sleep while endpoints catch up. Built by images.sh.
ARG BASE
FROM ${BASE} AS busybox
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >/dev/null \
 && mkdir /www

FROM scratch
COPY --from=busybox /bin/busybox /bin/busybox
COPY --from=busybox --chown=65532:65532 /www /www
COPY backend.sh /backend.sh
ENV PATH=/bin
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/bin/busybox", "sh", "/backend.sh"]
