/** A chain stream names one gateway process: `<instance>/<boot id>`. */
export function streamId(instance: string, bootId: string): string {
  return `${instance}/${bootId}`;
}

/** The instance part of a stream id (everything before its last `/`). */
export function instanceOfStream(stream: string): string {
  const slash = stream.lastIndexOf('/');
  return slash < 0 ? stream : stream.slice(0, slash);
}
