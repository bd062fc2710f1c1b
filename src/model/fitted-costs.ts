/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 3987,
  wakeup_ns: 3988,
  blk_request_ns: 1459,
  blk_complete_ns: 580,
  irqfd_notify_ns: 994,
  main_loop_iteration_ns: 3993,
  main_loop_request_ns: 199,
  native_submit_batch_ns: 1548,
  io_uring_enter_ns: 1720,
  threads_submit_req_ns: 2061
};
