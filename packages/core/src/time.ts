export const toUnixSeconds = (date: Date | string | number): number => Math.floor(new Date(date).getTime() / 1000);
