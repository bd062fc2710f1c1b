/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 3989,
  wakeup_ns: 3862,
  blk_request_ns: 1438,
  blk_complete_ns: 593,
  irqfd_notify_ns: 955,
  main_loop_iteration_ns: 4106,
  main_loop_request_ns: 243,
  native_submit_batch_ns: 1750,
  io_uring_enter_ns: 1730,
  threads_submit_req_ns: 2030
};
