import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchGetImageCommand, type ECRClient, GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { ImageConfig } from '../../gateway/domain/image-config.ts';

/** The manifest type `docker buildx build --push --provenance=false` pushes. */
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export interface KeptImages {
  /** Keeps `image` (`<registry>/<repository>:<tag>`) with this configuration; returns its config blob's digest. */
  keep(image: string, config: ImageConfig): string;
  /** The lifecycle policy expired it: ECR answers ImageNotFound from now on. */
  expire(image: string): void;
  /** Installs ECR's answers on the stub (again after a `reset()`). */
  answer(): void;
  close(): Promise<void>;
}

/**
 * ECR as a rollback reads it: `BatchGetImage` answers a kept image's manifest (or ImageNotFound),
 * `GetDownloadUrlForLayer` a download address of its config blob, and the blob is downloaded for
 * real over HTTP from a local server standing in for the presigned S3 address.
 */
export async function startKeptImages(ecr: AwsClientStub<ECRClient>): Promise<KeptImages> {
  const manifests = new Map<string, string>();
  const blobs = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const blob = blobs.get(decodeURIComponent(req.url!.slice(1)));
    if (!blob) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blob);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = (image: string) => image.slice(image.indexOf('/') + 1);

  const answer = () => {
    ecr.on(BatchGetImageCommand).callsFake((input: { repositoryName: string; imageIds: { imageTag: string }[] }) => {
      const tag = input.imageIds[0]!.imageTag;
      const manifest = manifests.get(`${input.repositoryName}:${tag}`);
      return manifest
        ? { images: [{ repositoryName: input.repositoryName, imageId: { imageTag: tag }, imageManifest: manifest, imageManifestMediaType: DOCKER_MANIFEST }], failures: [] }
        : { images: [], failures: [{ imageId: { imageTag: tag }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] };
    });
    ecr.on(GetDownloadUrlForLayerCommand).callsFake((input: { layerDigest: string }) => ({ downloadUrl: `${url}/${encodeURIComponent(input.layerDigest)}`, layerDigest: input.layerDigest }));
  };
  answer();

  return {
    keep(image, config) {
      const blob = Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [] } }));
      const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
      blobs.set(digest, blob);
      manifests.set(
        key(image),
        JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: blob.length, digest }, layers: [] }),
      );
      return digest;
    },
    expire: (image) => void manifests.delete(key(image)),
    answer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
