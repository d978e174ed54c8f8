/**
 * Set by the dashboard when it sends door staff to the door page (they see only the check-in page); the door
 * page shows why they came and removes it. sessionStorage: this tab only.
 */
export const DOOR_STAFF_NOTE_KEY = 'vol-is-vol.door-staff-note';
