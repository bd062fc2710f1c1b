# vqsim as a container: `docker build -t vqsim .`, then a shipped scenario with its results kept in ./results:
#   docker run --rm -v "$PWD/results:/work/results" vqsim run scenarios/iothread-pool.yaml
# or your own, mounted beside the shipped ones (a mount over /work would hide them):
#   docker run --rm -v "$PWD:/work/mine" vqsim run mine/my-vm.yaml --out mine/results
# Built from the package (npm pack), as users install it; the shipped scenarios are copied to /work/scenarios.
FROM node:20-slim AS pack
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json README.md ./
COPY src src
COPY scenarios scenarios
COPY results results
COPY docs docs
RUN npm pack && mv vqsim-*.tgz /vqsim.tgz

FROM node:20-slim
COPY --from=pack /vqsim.tgz /tmp/vqsim.tgz
RUN npm install -g --no-audit --no-fund /tmp/vqsim.tgz && rm /tmp/vqsim.tgz \
  && mkdir -p /work && cp -r "$(npm root -g)/vqsim/scenarios" /work/scenarios
WORKDIR /work
ENTRYPOINT ["vqsim"]
