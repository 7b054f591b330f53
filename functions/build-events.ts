// Placeholder Lambda entry for CodeBuild "Build State Change" events: the lead wires it to
// the deploy pipeline (gateway/services). Dependency-free so `cdk synth` bundles it offline.
export const handler = async (event: unknown): Promise<void> => {
  console.log(JSON.stringify({ msg: 'portico build event (not wired yet)', event }));
};
