// Placeholder Lambda entry for the one-minute idle reaper schedule: the lead wires it to the
// idle reaper service (gateway/services). Dependency-free so `cdk synth` bundles it offline.
export const handler = async (event: unknown): Promise<void> => {
  console.log(JSON.stringify({ msg: 'portico reaper tick (not wired yet)', event }));
};
