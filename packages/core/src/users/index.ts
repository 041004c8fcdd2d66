export { register } from "./register";
export { login } from "./login";
export { getInfo } from "./get-info";
export { getQuota } from "./get-quota";
