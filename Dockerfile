# Pier's image: built from source, on a Java runtime trimmed with jlink to the modules Pier uses,
# run as a non-root user (65532) that needs no writable path.
#
#   docker build -t pier:dev .
#
# The base images are arguments, so a mirror or locally imported images can stand in; CI builds
# with images made from debootstrap (scripts/cluster/images.sh). The build image needs a JDK 17
# with jmods and Maven; the run image only a glibc userland.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUN_IMAGE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Dependencies first: this layer is rebuilt only when pom.xml changes.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src/main src/main
RUN mvn -B -q package -Dmaven.test.skip=true
# jdeps lists the modules the jar names; added by hand are those reached only at run time:
# jdk.crypto.ec (the elliptic curves TLS to the API server uses), jdk.management (Micrometer's
# process, CPU and GC meters look its MXBeans up reflectively) and java.net.http (the OTLP trace
# exporter's sender, found through ServiceLoader).
RUN jdeps --ignore-missing-deps -q --multi-release 17 --print-module-deps target/pier.jar > modules.txt \
 && jlink --add-modules "$(cat modules.txt),jdk.crypto.ec,jdk.management,java.net.http" --strip-debug --no-man-pages --no-header-files \
      --compress=2 --generate-cds-archive --output /opt/java

FROM ${RUN_IMAGE}
# Filled in by whoever builds (CI passes the commit and its time, and the repository URL if any).
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=
LABEL org.opencontainers.image.title="pier" \
      org.opencontainers.image.description="Pier, a Kubernetes ingress controller with a Vert.x data plane" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
COPY --from=build /opt/java /opt/java
COPY --from=build /src/target/pier.jar /opt/pier/pier.jar
ENV JAVA_HOME=/opt/java
# A numeric user, so the kubelet can check runAsNonRoot; the chart mounts an emptyDir at /tmp
# (the JVM's perf data, Netty's native library) and the root filesystem can be read-only.
USER 65532:65532
EXPOSE 8080 9901
# Container-aware: the heap follows the cgroup memory limit (75 %, room for direct buffers and
# metaspace); an OutOfMemoryError ends the process so the kubelet restarts it instead of limping.
# MetaspaceSize: Pier's class metadata (about 34 MB once serving) passes the default 21 MB first
# trigger in its first seconds of traffic, and that collection is a full one (docs/performance.md).
ENTRYPOINT ["/opt/java/bin/java", "-XX:MaxRAMPercentage=75", "-XX:MetaspaceSize=128m", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/pier/pier.jar"]
CMD ["serve", "--kubernetes"]
