# MockProcessor in a container: docker build -t mockprocessor . && docker run -p 12111:12111 -v mp-data:/data mockprocessor
# Flags after the image name are added to the server's (e.g. `--in-memory`, `--strict-keys`, `--clock manual`).

# ---- build: framework-dependent, ReadyToRun publish. The SDK infers the RID from the build machine
# (linux-x64 or linux-arm64), so the same file builds for either architecture.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so the package layer survives source edits.
COPY Directory.Build.props Directory.Packages.props MockProcessor.sln ./
COPY src/MockProcessor/MockProcessor.csproj src/MockProcessor/
COPY src/MockProcessor.Server/MockProcessor.Server.csproj src/MockProcessor.Server/
COPY src/MockProcessor.Domain/MockProcessor.Domain.csproj src/MockProcessor.Domain/
RUN dotnet restore src/MockProcessor
COPY openapi.yaml ./
# The scenario format's schema is embedded in the executable (mockprocessor run validates files against it).
COPY docs/scenario.schema.json docs/
COPY src/ src/
RUN dotnet publish src/MockProcessor -c Release -o /out

# ---- runtime
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out ./
# The image runs as the non-root `app` user; give it the data directory.
USER root
RUN mkdir -p /data && chown app:app /data
USER app
VOLUME /data
# The server binds with --host/--port; drop the base image's default port 8080 so it does not compete.
ENV ASPNETCORE_HTTP_PORTS= \
    MOCKPROCESSOR_DB=/data/mockprocessor.db
EXPOSE 12111
ENTRYPOINT ["./mockprocessor", "serve", "--host", "0.0.0.0"]
