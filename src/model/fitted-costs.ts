/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 6293,
  wakeup_ns: 4891,
  blk_request_ns: 1115,
  blk_complete_ns: 635,
  irqfd_notify_ns: 758,
  main_loop_iteration_ns: 2719,
  main_loop_request_ns: 229,
  native_submit_batch_ns: 1547,
  io_uring_enter_ns: 1529,
  threads_submit_req_ns: 1549
};
