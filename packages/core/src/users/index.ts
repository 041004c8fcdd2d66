export { register } from "./register";
export { login } from "./login";
export { getInfo } from "./get-info";
export { getQuota } from "./get-quota";
export { changePassword } from "./change-password";
export { logout } from "./logout";
export { updateProfile } from "./update-profile";
export { authenticate, forgetSessions } from "./session";
export { DEFAULT_PASSWORD_HASH_COST } from "./password";
