# Pier's image: built from source, run as a non-root user on a JRE.
#   docker build -t pier:dev .
# The base images are arguments so that a mirror or a locally imported image can stand in.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUN_IMAGE=eclipse-temurin:17-jre
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY crds crds
RUN mvn -B -q package -DskipTests && cp target/pier.jar /pier.jar

FROM ${RUN_IMAGE}
COPY --from=build /pier.jar /opt/pier/pier.jar
# 65532 is the conventional "nonroot" uid; the chart and deploy/ also set runAsNonRoot.
USER 65532:65532
EXPOSE 8080 9901
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/pier/pier.jar"]
CMD ["serve", "--kubernetes"]
