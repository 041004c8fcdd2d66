/** Seconds since the epoch; a Date is read in place (a list maps two per row). */
export const toUnixSeconds = (date: Date | string | number): number =>
  Math.floor((date instanceof Date ? date.getTime() : new Date(date).getTime()) / 1000);
