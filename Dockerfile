# syntax=docker/dockerfile:1
# GoChat's image: one image for both processes. GOCHAT_ROLE=webfront (the default) runs the WebFront
# (HTTP, SignalR, the web client, a co-hosted silo); GOCHAT_ROLE=silo runs a headless silo. Both
# listen for HTTP on 8080 (the silo serves only /healthz and /readyz there) and for other silos on
# 11111, and need ConnectionStrings__GoChat (the image has no PostgreSQL). See docs/deploy.md.
#   docker build -t gochat .

# The web client (Vue + Vite), built with Node.js, which the .NET SDK image does not have.
FROM node:22-bookworm-slim AS client
WORKDIR /src/WebFront/ClientApp
COPY WebFront/ClientApp/package.json WebFront/ClientApp/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY WebFront/ClientApp/ ./
RUN npm run build

# The .NET build: restore first (cached while only sources change), then publish both programs.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY Grains.Interfaces/Grains.Interfaces.csproj Grains.Interfaces/
COPY Grains/Grains.csproj Grains/
COPY Silo/Silo.csproj Silo/
COPY WebFront/WebFront.csproj WebFront/
RUN dotnet restore WebFront/WebFront.csproj
COPY Grains.Interfaces/ Grains.Interfaces/
COPY Grains/ Grains/
COPY Silo/ Silo/
COPY WebFront/ WebFront/
COPY --from=client /src/WebFront/wwwroot/ WebFront/wwwroot/
# The WebFront's output holds the headless silo too (GoChat.Silo.dll with its own runtimeconfig).
RUN dotnet publish WebFront/WebFront.csproj -c Release --no-restore -p:BuildClientApp=false -o out

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /src/out/ ./
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/gochat
# Data (media, unless GoChat__Media__Dir says otherwise) in a volume the app user owns; Compose
# shares /var/lib/gochat/media between WebFronts.
RUN mkdir -p /var/lib/gochat/media && chown -R "$APP_UID" /var/lib/gochat
ENV GOCHAT_ROLE=webfront \
    GoChat__DataDir=/var/lib/gochat \
    GoChat__Silo__Port=11111 \
    DOTNET_SHUTDOWNTIMEOUTSECONDS=30
# The non-root user the .NET images provide (app, uid 1654).
USER $APP_UID
EXPOSE 8080 11111
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["gochat", "health"]
ENTRYPOINT ["gochat"]
