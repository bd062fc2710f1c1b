/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 3945,
  wakeup_ns: 3929,
  blk_request_ns: 1355,
  blk_complete_ns: 570,
  irqfd_notify_ns: 944,
  main_loop_iteration_ns: 4082,
  main_loop_request_ns: 261,
  native_submit_batch_ns: 1570,
  io_uring_enter_ns: 1743,
  threads_submit_req_ns: 2182
};
