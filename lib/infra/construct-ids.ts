/** `event_registrations` → `EventRegistrations`: a source name as a construct id part. */
export function pascal(name: string): string {
  return name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
