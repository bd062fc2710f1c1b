/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 6847,
  wakeup_ns: 4884,
  blk_request_ns: 1125,
  blk_complete_ns: 641,
  irqfd_notify_ns: 723,
  main_loop_iteration_ns: 2595,
  main_loop_request_ns: 227,
  native_submit_batch_ns: 1551,
  io_uring_enter_ns: 1535,
  threads_submit_req_ns: 1548
};
