# NNRP node container: `docker build -t nnrp .` then `docker run -p 4001:4001 -p 8080:8080 -v nnrp-data:/data nnrp`.
# Build stage: the SDK publishes a framework-dependent build of the `nnrp` executable.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Nnrp.Cli -c Release -o /app -p:UseAppHost=false

# Run stage: the ASP.NET Core runtime (the HTTP API needs it) on Debian, as the image's
# non-root `app` user. Everything the node keeps lives in the /data volume.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
# `docker build --build-arg REVISION=$(git rev-parse HEAD) .` stamps the image with its commit
# (OCI image-spec annotations), so an operator can tell which source a running node came from.
ARG REVISION=unknown
LABEL org.opencontainers.image.title="nnrp" \
      org.opencontainers.image.description="NNRP node: stores and relays sealed NanoNym payment notifications" \
      org.opencontainers.image.revision="$REVISION"
WORKDIR /app
COPY --from=build /app .
RUN mkdir -p /data && chown "$APP_UID" /data
VOLUME /data
# Inside a container the node listens on every interface; map the ports you want public.
ENV NNRP_DATA_DIR=/data \
    NNRP_LISTEN=/ip4/0.0.0.0/tcp/4001 \
    NNRP_HTTP=http://0.0.0.0:8080 \
    NNRP_METRICS=http://0.0.0.0:9464 \
    NNRP_LOG_FORMAT=json
# 9464 is /metrics: publish it only to your Prometheus, not to the internet.
EXPOSE 4001/tcp 8080/tcp 9464/tcp
# The image has bash but no curl: a raw HTTP/1.0 request to /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
USER $APP_UID
ENTRYPOINT ["dotnet", "nnrp.dll", "node"]
