/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 4152,
  wakeup_ns: 4000,
  blk_request_ns: 1191,
  blk_complete_ns: 589,
  irqfd_notify_ns: 776,
  main_loop_iteration_ns: 2547,
  main_loop_request_ns: 241,
  native_submit_batch_ns: 1562,
  io_uring_enter_ns: 1492,
  threads_submit_req_ns: 1651
};
